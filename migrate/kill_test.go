package migrate

import (
	"context"
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
	opts := Options{JournalDir: os.Getenv("MAGPIE_MIGRATE_JOURNAL")}
	p, err := NewPlan(context.Background(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = Run(context.Background(), p, opts)
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
	for round, after := range []time.Duration{400 * time.Millisecond, 900 * time.Millisecond, 1400 * time.Millisecond, 2000 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMigrateProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MAGPIE_MIGRATE_CHILD=1", "MAGPIE_MIGRATE_IMAP="+d.IMAPSAddr(),
			"MAGPIE_MIGRATE_CA="+d.CAFile, "MAGPIE_MIGRATE_JOURNAL="+journal,
			"MAGPIE_MIGRATE_SRC_USER="+su.Email, "MAGPIE_MIGRATE_SRC_PASSWORD="+su.Password,
			"MAGPIE_MIGRATE_DST_USER="+du.Email, "MAGPIE_MIGRATE_DST_PASSWORD="+du.Password)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after) // where it dies varies; nothing is asserted about time
		_ = cmd.Process.Signal(syscall.SIGKILL)
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
