package rules_test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/quirkserver"
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
	// forwarded and unforwarded total ArrivalApplied's Forwarded, Forwards.
	forwarded, unforwarded int
}

func runWatched(t *testing.T, a account.Account, d *account.Dialer, st *store.Store) *watched {
	t.Helper()
	return runWatchedFwd(t, a, d, st, nil)
}

func runWatchedFwd(t *testing.T, a account.Account, d *account.Dialer, st *store.Store, fwd rules.Forwarder) *watched {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	w := &watched{cancel: cancel}
	in, out := make(chan mailsync.Event, 64), make(chan mailsync.Event, 64)
	e := mailsync.New(a, d, st, mailsync.Options{Events: in})
	w.wg.Go(func() { _ = e.Run(ctx) })
	w.wg.Go(func() { rules.WatchArrivals(ctx, st, a.Name, e, fwd, in, out) })
	w.wg.Go(func() {
		for {
			select {
			case ev := <-out:
				if fs, ok := ev.(mailsync.FolderSynced); ok && fs.Summary.Role == "inbox" {
					w.mu.Lock()
					w.synced++
					w.mu.Unlock()
				}
				if aa, ok := ev.(rules.ArrivalApplied); ok {
					if aa.Err != nil {
						t.Errorf("arrival rules: %v", aa.Err)
					}
					w.mu.Lock()
					w.forwarded += aa.Applied.Forwarded
					w.unforwarded += aa.Applied.Forwards
					w.mu.Unlock()
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

// TestRulesOnArrivalExmailQuirks: against the Exmail emulation (no MOVE, no
// SPECIAL-USE, Chinese folder names) new mail is filed by the client-side
// rules, and a blocked sender's mail lands in 垃圾箱, found by its name.
func TestRulesOnArrivalExmailQuirks(t *testing.T) {
	srv, be := quirkserver.StartTest(t, quirkserver.Exmail, nil)
	if err := be.CreateMailbox(quirkserver.TestUser, "客户"); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(srv.Addr())
	pn, _ := strconv.Atoi(port)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "q", quirkserver.TestPassword)
	a := account.Account{Name: "q", Email: quirkserver.TestUser, Kind: account.KindMember, Provider: "exmail",
		IMAP: account.Endpoint{Host: host, Port: pn, Security: account.SecurityInsecurePlain}}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(t.Context(), "q")
	set := rules.Set{Rules: []rules.Rule{{Name: "quotes", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
		Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "客户"}, {Kind: rules.ActionRead}}}},
		Block: []string{"@spam.example"}}
	if err := rules.SaveLocal(t.Context(), st, acct, set); err != nil {
		t.Fatal(err)
	}
	w := runWatched(t, a, dialer, st)
	defer w.stop()
	waitFor(t, "the first INBOX pass", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.synced > 0 })

	c, err := dialer.DialIMAP(t.Context(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, raw := range [][]byte{mail("buyer@client.example", a.Email, "报价单", "", "hi"), mail("x@spam.example", a.Email, "cheap", "", "buy")} {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	count := func(box string) uint32 {
		d, err := c.Status(box, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		return *d.NumMessages
	}
	dump := func() {
		{
			for _, state := range []store.OpState{store.OpPending, store.OpDone, store.OpFailed, store.OpConflict} {
				ops, _ := st.Ops(context.Background(), acct, state)
				for _, op := range ops {
					t.Logf("op state %d: %+v", state, op)
				}
			}
			folders, _ := st.Folders(context.Background(), acct)
			for _, f := range folders {
				uids, _ := st.UIDs(context.Background(), f.ID)
				t.Logf("folder %s role %q: %d", f.Name, f.Role, len(uids))
			}
			t.Logf("INBOX %d 客户 %d 垃圾箱 %d; commands %v", count("INBOX"), count("客户"), count("垃圾箱"), srv.Stats().Commands)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for count("客户") != 1 || count("垃圾箱") != 1 {
		if time.Now().After(deadline) {
			dump()
			t.Fatal("waited in vain for 客户 and 垃圾箱 to fill")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count("INBOX"); n != 0 {
		t.Errorf("INBOX holds %d", n)
	}
	if n := srv.Stats().Commands["UID MOVE"] + srv.Stats().Commands["MOVE"]; n != 0 {
		t.Errorf("MOVE sent %d times to a server without it", n)
	}
}
