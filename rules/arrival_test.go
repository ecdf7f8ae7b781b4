package rules_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
)

// runWatched runs a sync engine with WatchArrivals between it and a
// consumer until stop is called; events are counted by type.
type watched struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	synced int // INBOX passes seen
}

func runWatched(t *testing.T, a account.Account, d *account.Dialer, st *store.Store) *watched {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	w := &watched{cancel: cancel}
	in, out := make(chan mailsync.Event, 64), make(chan mailsync.Event, 64)
	e := mailsync.New(a, d, st, mailsync.Options{Events: in})
	w.wg.Go(func() { _ = e.Run(ctx) })
	w.wg.Go(func() { rules.WatchArrivals(ctx, st, a.Name, e, in, out) })
	w.wg.Go(func() {
		for {
			select {
			case ev := <-out:
				if fs, ok := ev.(mailsync.FolderSynced); ok && fs.Summary.Role == "inbox" {
					w.mu.Lock()
					w.synced++
					w.mu.Unlock()
				}
				if aa, ok := ev.(rules.ArrivalApplied); ok && aa.Err != nil {
					t.Errorf("arrival rules: %v", aa.Err)
				}
			case <-ctx.Done():
				return
			}
		}
	})
	return w
}

func (w *watched) stop() { w.cancel(); w.wg.Wait() }

// waitFor polls cond (bounded: the harness waiting for a server, not a
// timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRulesOnArrival: with no ManageSieve, new INBOX mail is filed by the
// client-side rules while the engine runs under IDLE; mail that was there
// before is left alone, and a restart applies nothing twice.
func TestRulesOnArrival(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Doveadm(t, "mailbox", "create", "-u", u.Email, "客户")
	d.Deliver(t, u.Email, mail("buyer@client.example", u.Email, "报价 old", "", "before the rules"))
	ep, _ := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "dove", u.Password)
	a := account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile, Sieve: account.SieveSetting{Off: true}}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(t.Context(), "dove")
	set := rules.Set{Rules: []rules.Rule{
		{Name: "quotes", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
			Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "客户"}}},
		{Name: "flag", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "flagme"}},
			Actions: []rules.Action{{Kind: rules.ActionFlag}}},
	}}
	if err := rules.SaveLocal(t.Context(), st, acct, set); err != nil {
		t.Fatal(err)
	}

	w := runWatched(t, a, dialer, st)
	waitFor(t, "the first INBOX pass", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.synced > 0 })
	d.Deliver(t, u.Email, mail("buyer@client.example", u.Email, "报价 new", "", "after"))
	d.Deliver(t, u.Email, mail("a@b.example", u.Email, "flagme", "", "after"))
	d.WaitMessages(t, u.Email, "客户", 1)
	waitFor(t, "the flag on the server", func() bool {
		return strings.Contains(d.Doveadm(t, "fetch", "-u", u.Email, "flags", "mailbox", "INBOX", "header", "Subject", "flagme"), `\Flagged`)
	})
	if n := d.MessageCount(t, u.Email, "INBOX"); n != 2 {
		t.Errorf("INBOX holds %d, want the old quote and flagme", n)
	}
	w.stop()
	done, _ := st.Ops(t.Context(), acct, store.OpDone)
	pending, _ := st.Ops(t.Context(), acct, store.OpPending)

	// Restart: another pass over the same INBOX queues nothing new.
	w = runWatched(t, a, dialer, st)
	waitFor(t, "the INBOX pass after restart", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.synced > 0 })
	w.stop()
	done2, _ := st.Ops(t.Context(), acct, store.OpDone)
	pending2, _ := st.Ops(t.Context(), acct, store.OpPending)
	if len(done2)+len(pending2) != len(done)+len(pending) || len(done) != 2 {
		t.Fatalf("ops before restart %d done %d pending, after %d done %d pending", len(done), len(pending), len(done2), len(pending2))
	}
	if n := d.MessageCount(t, u.Email, "客户"); n != 1 {
		t.Errorf("客户 holds %d, want 1", n)
	}
}
