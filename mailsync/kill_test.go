package mailsync

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// TestHelperSyncProcess is the child of TestSyncKilledHard: a plain
// SyncOnce in a process of its own, to be killed with SIGKILL. It does
// nothing in a normal run.
func TestHelperSyncProcess(t *testing.T) {
	if os.Getenv("MAGPIE_SYNC_CHILD") != "1" {
		t.Skip("helper process for TestSyncKilledHard")
	}
	ep, err := account.ParseEndpoint(os.Getenv("MAGPIE_SYNC_IMAP"), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{Name: "dove", Email: os.Getenv("MAGPIE_SYNC_USER"), Kind: account.KindMember,
		IMAP: ep, CAFile: os.Getenv("MAGPIE_SYNC_CA"), PasswordCmd: "printf %s \"$MAGPIE_SYNC_PASSWORD\""}
	st, err := store.Open(context.Background(), os.Getenv("MAGPIE_SYNC_STORE"))
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := strconv.Atoi(os.Getenv("MAGPIE_SYNC_BATCH"))
	// Kills land in the header pass and in the body downloads, some
	// between a body's file and the commit of the row naming it.
	_, _ = New(a, &account.Dialer{}, st, Options{Batch: batch}).SyncOnce(context.Background())
}

// TestSyncKilledHard kills a syncing process with SIGKILL at several points
// and checks that the store it leaves is sound and that the next run
// completes it to equal the server.
func TestSyncKilledHard(t *testing.T) {
	f := newFixture(t, 400)
	path := filepath.Join(t.TempDir(), "killed.db")
	midway := 0
	for round, after := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSyncProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MAGPIE_SYNC_CHILD=1", "MAGPIE_SYNC_IMAP="+f.acct.IMAP.Addr(),
			"MAGPIE_SYNC_USER="+f.user.Email, "MAGPIE_SYNC_PASSWORD="+f.user.Password, "MAGPIE_SYNC_CA="+f.acct.CAFile,
			"MAGPIE_SYNC_STORE="+path, "MAGPIE_SYNC_BATCH=25")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after) // where it is killed varies; nothing is asserted about time
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("round %d: the killed store does not open: %v", round, err)
		}
		if err := integrity(st); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		msgs, bodies, unindexed := held(t, st)
		t.Logf("round %d: killed holding %d messages, %d bodies, %d of them not indexed yet", round, msgs, bodies, unindexed)
		if bodies < 400 {
			midway++
		}
		st.Close()
	}
	if midway == 0 {
		t.Fatal("every kill came after the sync had finished: the test proved nothing")
	}
	// The next run completes what the killed ones left.
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f.st.Close()
	f.st = st
	f.syncOnce(Options{})
	f.assertInStep(true)
	if _, _, unindexed := held(t, st); unindexed != 0 {
		t.Errorf("%d bodies left out of the search index after a completed SyncOnce", unindexed)
	}
}

// held counts what the store holds of the account, all folders together.
func held(t *testing.T, st *store.Store) (messages, bodies, unindexed int) {
	t.Helper()
	acct, err := st.Account(context.Background(), "dove")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.Counts(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		messages += c.Messages
		bodies += c.Bodies
		unindexed += c.Unindexed
	}
	return messages, bodies, unindexed
}

// integrity runs SQLite's own check of the database file and of the
// full-text index.
func integrity(st *store.Store) error {
	return st.CheckIntegrity(context.Background())
}
