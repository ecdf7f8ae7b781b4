package migrate

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestHelperMigrateProcess is the child of TestMigrationKilledHard: a plain
// Run in a process of its own, to be killed with SIGKILL. It does nothing
// in a normal run.
func TestHelperMigrateProcess(t *testing.T) {
	if os.Getenv("MAGPIE_MIGRATE_CHILD") != "1" {
		t.Skip("helper process for TestMigrationKilledHard")
	}
	side := func(prefix string) Side {
		ep, err := account.ParseEndpoint(os.Getenv("MAGPIE_MIGRATE_IMAP"), account.SecurityTLS)
		if err != nil {
			t.Fatal(err)
		}
		user := os.Getenv(prefix + "_USER")
		return Side{
			Account: account.Account{Name: user, Email: user, Kind: account.KindMember, IMAP: ep,
				CAFile: os.Getenv("MAGPIE_MIGRATE_CA"), PasswordCmd: `printf %s "$` + prefix + `_PASSWORD"`},
			Dialer: &account.Dialer{Timeout: 10 * time.Second},
		}
	}
	src, dst := side("MAGPIE_MIGRATE_SRC"), side("MAGPIE_MIGRATE_DST")
	progress := make(chan Progress, 64)
	// Windows of a few messages: a kill lands between two listings too.
	opts := Options{JournalDir: os.Getenv("MAGPIE_MIGRATE_JOURNAL"), Progress: progress, listWindow: 7}
	p, err := NewPlan(context.Background(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	// One line per change of the run's copied total, for the parent to
	// kill at a point of progress rather than of time (a fast machine
	// copies the whole corpus before any fixed delay is over).
	done := make(chan struct{})
	go func() {
		defer close(done)
		copied := map[string]int{}
		last := 0
		for pr := range progress {
			copied[pr.Folder] = pr.Copied
			total := 0
			for _, n := range copied {
				total += n
			}
			if total != last {
				last = total
				fmt.Fprintf(os.Stdout, "copied %d\n", total)
			}
		}
	}()
	_, _ = Run(context.Background(), p, opts)
	close(progress)
	<-done
}

// TestMigrationKilledHard kills a migrating process with SIGKILL at several
// points (a crash at any instant, journal entries left in flight), then
// finishes in-process: the destination must equal the source with no
// message twice, and the source must be unchanged.
func TestMigrationKilledHard(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 11, Messages: 300})
	before := snapshot(t, src)
	journal := t.TempDir()
	midway := 0
	for round, after := range []int{1, 1, 1, 1} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMigrateProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MAGPIE_MIGRATE_CHILD=1", "MAGPIE_MIGRATE_IMAP="+d.IMAPSAddr(),
			"MAGPIE_MIGRATE_CA="+d.CAFile, "MAGPIE_MIGRATE_JOURNAL="+journal,
			"MAGPIE_MIGRATE_SRC_USER="+su.Email, "MAGPIE_MIGRATE_SRC_PASSWORD="+su.Password,
			"MAGPIE_MIGRATE_DST_USER="+du.Email, "MAGPIE_MIGRATE_DST_PASSWORD="+du.Password)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Killed as soon as this run has copied `after` messages: where it dies
		// then varies with the batches and workers in flight.
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			var n int
			if _, err := fmt.Sscanf(lines.Text(), "copied %d", &n); err == nil && n >= after {
				break
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		n := count(snapshot(t, dst))
		t.Logf("round %d: killed with %d messages on the destination", round, n)
		if n > 0 && n < 300 {
			midway++
		}
	}
	if midway == 0 {
		t.Fatal("no kill landed while messages were being copied: the test proved nothing")
	}
	// The same accounts and journal, in-process: catch up and verify.
	files, _ := filepath.Glob(filepath.Join(journal, "*.db"))
	if len(files) != 1 {
		t.Fatalf("journal files: %v", files)
	}
	p := plan(t, src, dst, Options{JournalDir: journal})
	rep := run(t, p, Options{JournalDir: journal})
	if !rep.Verified() || rep.Totals().Extra != 0 {
		t.Fatalf("after the kills: verified=%v %+v", rep.Verified(), rep.Totals())
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
	sameSnapshot(t, before, snapshot(t, src))
}

func count(s map[string][]msgState) int {
	n := 0
	for _, ms := range s {
		n += len(ms)
	}
	return n
}
