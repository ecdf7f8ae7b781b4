package mailsync

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/store"
)

// waitFor reads events until match returns true; limit only bounds a hang
// (a failure), it asserts no speed.
func waitFor(t *testing.T, events <-chan Event, limit time.Duration, match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case ev := <-events:
			if e, ok := ev.(SyncError); ok {
				t.Logf("sync error: %v", e.Err)
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no matching event within %s", limit)
		}
	}
}

func TestRunIdleBringsNewMail(t *testing.T) {
	f := newFixture(t, 10)
	before := runtime.NumGoroutine() // after the servers and the store started
	events := make(chan Event, 256)
	ctx, cancel := context.WithCancel(context.Background())
	// Polling is set far out: only IDLE can bring the message in.
	e := f.engine(Options{Events: events, PollEvery: time.Hour})
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, events, 30*time.Second, func(ev Event) bool {
		s, ok := ev.(FolderSynced)
		return ok && s.Summary.Folder == "INBOX"
	})
	// Let the IDLE connection settle on INBOX, then deliver.
	waitFor(t, events, 30*time.Second, func(ev Event) bool {
		s, ok := ev.(FolderSynced)
		return ok && s.Summary.Folder == "INBOX" // the resync IDLE's own SELECT asks for
	})
	sent := time.Now()
	f.d.Deliver(t, f.user.Email, []byte("From: boss@example.test\r\nTo: "+f.user.Email+"\r\nSubject: 紧急\r\nMessage-ID: <idle-1@example.test>\r\n\r\n请回电\r\n"))
	ev := waitFor(t, events, 30*time.Second, func(ev Event) bool {
		n, ok := ev.(NewMail)
		return ok && n.Folder == "INBOX" && n.Count == 1
	})
	t.Logf("new mail reached the store %v after delivery (%v)", time.Since(sent).Round(time.Millisecond), ev)
	acct, _ := f.st.Account(ctx, "dove")
	q, _ := store.ParseQuery("紧急")
	if res, err := f.st.Search(ctx, store.SearchRequest{Account: acct, Query: q}); err != nil || len(res) != 1 {
		t.Fatalf("the new message is not in the store: %v %v", res, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// No goroutine outlives Run (the IDLE watcher and its connection).
	settle := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(settle) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after Run returned\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestOfflineOpsReplayOnce(t *testing.T) {
	f := newFixture(t, 20)
	f.syncOnce(Options{})
	ctx := context.Background()
	acct, _ := f.st.Account(ctx, "dove")
	folders, _ := f.st.Folders(ctx, acct)
	byName := map[string]store.Folder{}
	for _, fo := range folders {
		byName[fo.Name] = fo
	}
	inbox, archive := byName["INBOX"], byName["Archive"]
	uids, _ := f.st.UIDs(ctx, inbox.ID)
	if len(uids) < 3 {
		t.Fatalf("INBOX has %d messages", len(uids))
	}
	// Offline: flag one, move one, delete one.
	ops := []store.Op{
		{Kind: store.OpFlagsAdd, Folder: inbox.ID, UIDs: []store.UID{uids[0].UID}, Flags: store.FlagFlagged, Keywords: []string{"Work"}},
		{Kind: store.OpMove, Folder: inbox.ID, Target: archive.ID, UIDs: []store.UID{uids[1].UID}},
		{Kind: store.OpExpunge, Folder: inbox.ID, UIDs: []store.UID{uids[2].UID}},
	}
	for _, op := range ops {
		if _, err := f.st.EnqueueOp(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	// Shown at once, before any server contact.
	if now, _ := f.st.UIDs(ctx, inbox.ID); len(now) != len(uids)-2 {
		t.Fatalf("local INBOX after offline move+delete: %d, want %d", len(now), len(uids)-2)
	}
	f.syncOnce(Options{})
	f.assertInStep(true)
	if pending, _ := f.st.PendingOps(ctx, acct); len(pending) != 0 {
		t.Fatalf("ops still pending: %+v", pending)
	}
	// Replayed once: a second pass has nothing to do, and the server holds
	// exactly one copy of the moved message.
	f.syncOnce(Options{})
	f.assertInStep(true)
	server := f.serverState()
	if len(server["Archive"]) != 1 {
		t.Errorf("Archive on the server holds %d messages, want 1", len(server["Archive"]))
	}
	for uid, m := range server["INBOX"] {
		if uid == uids[0].UID && !(contains(m.flags, `\flagged`) && contains(m.flags, "work")) {
			t.Errorf("flags not replayed: %v", m.flags)
		}
	}
}

func TestOfflineMoveOfVanishedMessageIsAConflict(t *testing.T) {
	f := newFixture(t, 5)
	f.syncOnce(Options{})
	ctx := context.Background()
	acct, _ := f.st.Account(ctx, "dove")
	folders, _ := f.st.Folders(ctx, acct)
	var inbox, junk store.Folder
	for _, fo := range folders {
		switch fo.Name {
		case "INBOX":
			inbox = fo
		case "Junk":
			junk = fo
		}
	}
	uids, _ := f.st.UIDs(ctx, inbox.ID)
	victim := uids[0].UID
	if _, err := f.st.EnqueueOp(ctx, store.Op{Kind: store.OpMove, Folder: inbox.ID, Target: junk.ID, UIDs: []store.UID{victim}}); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another client deletes it on the server.
	other := f.client()
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	must(t, other.Store(imap.UIDSetNum(imap.UID(victim)), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	must(t, other.Expunge().Close())
	closeClient(other)

	f.syncOnce(Options{})
	conflicts, err := f.st.Ops(ctx, acct, store.OpConflict)
	if err != nil || len(conflicts) != 1 {
		t.Fatalf("conflicts = %+v, %v; want the move recorded as a conflict", conflicts, err)
	}
	f.assertInStep(true)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestQuirkProfilesSync runs full passes against each provider emulation:
// they answer BAD to descending ranges and compound SEARCH, NetEase refuses
// SELECT without ID, Aliyun/Exmail have no CONDSTORE or MOVE.
func TestQuirkProfilesSync(t *testing.T) {
	for _, p := range quirkserver.Profiles() {
		t.Run(string(p), func(t *testing.T) {
			srv, be := quirkserver.StartTest(t, p, nil)
			for i := 0; i < 7; i++ {
				raw := "From: a@example.cn\r\nSubject: 第" + strconv.Itoa(i) + "封\r\nMessage-ID: <q" + strconv.Itoa(i) + "@example.cn>\r\n\r\n正文\r\n"
				if _, err := be.Append(quirkserver.TestUser, "INBOX", []byte(raw), nil, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			host, port, _ := net.SplitHostPort(srv.Addr())
			pn, _ := strconv.Atoi(port)
			secrets := &account.MemorySecrets{}
			_ = secrets.Set(context.Background(), "q", quirkserver.TestPassword)
			a := account.Account{Name: "q", Email: quirkserver.TestUser, Kind: account.KindMember,
				IMAP: account.Endpoint{Host: host, Port: pn, Security: account.SecurityInsecurePlain}}
			st, err := store.Open(context.Background(), t.TempDir()+"/mail.db")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			e := New(a, &account.Dialer{Secrets: secrets, Timeout: 5 * time.Second}, st, Options{Batch: 3})
			for pass := 0; pass < 2; pass++ {
				sum, err := e.SyncOnce(context.Background())
				if err != nil || sum.Failed() {
					t.Fatalf("pass %d: %v %+v", pass, err, sum)
				}
			}
			acct, _ := st.Account(context.Background(), "q")
			folders, _ := st.Folders(context.Background(), acct)
			for _, fo := range folders {
				if fo.Role == "inbox" {
					uids, _ := st.UIDs(context.Background(), fo.ID)
					if len(uids) != 7 {
						t.Errorf("INBOX has %d messages, want 7", len(uids))
					}
				}
			}
			if n := srv.Stats().Commands["ENABLE"]; n != 0 {
				t.Errorf("ENABLE sent %d times", n)
			}
		})
	}
}

// TestRunStopsOnRefusedPassword: Run does not retry a login the server
// refused, which would only count failed logins against the account.
func TestRunStopsOnRefusedPassword(t *testing.T) {
	f := newFixture(t, 0)
	_ = f.dialer.Secrets.Set(context.Background(), "dove", "wrong")
	events := make(chan Event, 16)
	err := f.engine(Options{Events: events}).Run(context.Background())
	if got := account.Diagnose(err).Problem; got != account.ProblemWrongPassword {
		t.Fatalf("Run = %v (%s), want it to stop on the refused password", err, got)
	}
}
