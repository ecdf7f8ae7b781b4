package mailsync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

func TestFullSyncEqualsServer(t *testing.T) {
	f := newFixture(t, 300)
	sum := f.syncOnce(Options{})
	total := 0
	for _, fs := range sum.Folders {
		total += fs.New
		if fs.New > 0 && fs.Bodies != fs.New {
			t.Errorf("%s: %d headers but %d bodies", fs.Folder, fs.New, fs.Bodies)
		}
	}
	if total != 300 {
		t.Errorf("stored %d messages, uploaded 300", total)
	}
	f.assertInStep(true)

	// A second pass changes nothing and downloads nothing.
	again := f.syncOnce(Options{})
	for _, fs := range again.Folders {
		if fs.New+fs.Updated+fs.Expunged+fs.Bodies != 0 {
			t.Errorf("no-op resync of %s did work: %+v", fs.Folder, fs)
		}
	}
}

func TestHeadersOnlyPolicyThenBodies(t *testing.T) {
	f := newFixture(t, 60)
	sum := f.syncOnce(Options{Bodies: account.BodyPolicy{Mode: account.BodiesNone}})
	for _, fs := range sum.Folders {
		if fs.Bodies != 0 {
			t.Fatalf("bodies none, but %s fetched %d", fs.Folder, fs.Bodies)
		}
	}
	f.assertInStep(false)
	// recent:N with N far in the past of the corpus fetches none; "all" the rest.
	f.syncOnce(Options{Bodies: account.BodyPolicy{Mode: account.BodiesRecent, Days: 1}})
	f.syncOnce(Options{})
	f.assertInStep(true)
}

func TestChangesByAnotherClient(t *testing.T) {
	f := newFixture(t, 80)
	f.syncOnce(Options{})
	ctx := context.Background()
	other := f.client()

	// Flags, a keyword, an expunge, a move, a new folder, a rename, a delete.
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	must(t, other.Store(imap.SeqSetNum(1, 2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged, "Invoice"}}, nil).Close())
	must(t, other.Store(imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close())
	must(t, other.Store(imap.SeqSetNum(4), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	must(t, other.Expunge().Close())
	if _, err := other.Move(imap.SeqSetNum(1), "Archive").Wait(); err != nil {
		t.Fatal(err)
	}
	must(t, other.Create("新项目", nil).Wait())
	must(t, other.Create("新项目/2026", nil).Wait())
	must(t, other.Rename("Projects/Magpie", "Projects/喜鹊", nil).Wait())
	must(t, other.Delete("客户邮件/2025").Wait())
	closeClient(other)
	f.d.Deliver(t, f.user.Email, []byte("From: a@example.test\r\nTo: "+f.user.Email+"\r\nSubject: new\r\nMessage-ID: <new-1@example.test>\r\n\r\nhi\r\n"))

	sum := f.syncOnce(Options{})
	var inbox FolderSummary
	for _, fs := range sum.Folders {
		if fs.Folder == "INBOX" {
			inbox = fs
		}
	}
	if inbox.New != 1 || inbox.Expunged != 2 || inbox.Updated < 2 {
		t.Errorf("INBOX pass: %+v, want 1 new, 2 expunged (deleted + moved away), ≥2 flag updates", inbox)
	}
	f.assertInStep(true)

	// The moved message's body was relinked, not fetched again: the Archive
	// pass downloaded nothing.
	for _, fs := range sum.Folders {
		if fs.Folder == "Archive" && fs.Bodies != 0 {
			t.Errorf("Archive fetched %d bodies for a moved message", fs.Bodies)
		}
	}
	acct, _ := f.st.Account(ctx, "dove")
	folders, _ := f.st.Folders(ctx, acct)
	names := map[string]bool{}
	for _, fo := range folders {
		names[fo.Name] = true
	}
	if !names["新项目/2026"] || !names["Projects/喜鹊"] || names["Projects/Magpie"] || names["客户邮件/2025"] {
		t.Errorf("folder list not reflected: %v", names)
	}
}

func TestUIDValidityResetRelinksBodies(t *testing.T) {
	f := newFixture(t, 40)
	f.syncOnce(Options{})
	f.d.Doveadm(t, "mailbox", "update", "-u", f.user.Email, "--uid-validity", "4242", "INBOX")
	sum := f.syncOnce(Options{})
	for _, fs := range sum.Folders {
		if fs.Folder != "INBOX" {
			continue
		}
		if !fs.Reset || fs.New == 0 {
			t.Errorf("INBOX after UIDVALIDITY change: %+v", fs)
		}
		if fs.Bodies != 0 {
			t.Errorf("UIDVALIDITY reset downloaded %d bodies again", fs.Bodies)
		}
	}
	f.assertInStep(true)
}

func TestChineseSearchFindsGBKMessage(t *testing.T) {
	f := newFixture(t, 0)
	body, err := simplifiedchinese.GBK.NewEncoder().String("各位好，下周一开始邮箱搬家，请提前备份。")
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := simplifiedchinese.GBK.NewEncoder().String("通知")
	raw := fmt.Sprintf("From: =?GBK?B?%s?= <it@example.test>\r\nTo: %s\r\nSubject: =?GBK?Q?%s?=\r\nMessage-ID: <gbk-1@example.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		"xcXA7Q==", f.user.Email, qEncode(subject), body)
	f.d.Deliver(t, f.user.Email, []byte(raw))
	f.syncOnce(Options{})
	for _, q := range []string{"搬家", "邮箱搬家", "通知", "备份"} {
		res := f.search(q)
		if len(res) != 1 || res[0].MsgID != "gbk-1@example.test" {
			t.Errorf("search %q found %d messages", q, len(res))
		}
	}
}

func qEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "=%02X", s[i])
	}
	return b.String()
}

func TestKilledMidwayThenCompleted(t *testing.T) {
	f := newFixture(t, 150)
	events := make(chan Event, 64)
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Batch: 20, Events: events}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = f.engine(opts).SyncOnce(ctx)
	}()
	// Stop it once some headers are in, wherever it is.
	for ev := range events {
		if p, ok := ev.(FolderProgress); ok && p.Phase == PhaseHeaders && p.Done >= 20 {
			cancel()
			break
		}
	}
	go func() {
		for range events {
		}
	}()
	<-done
	cancel()
	f.syncOnce(Options{})
	f.assertInStep(true)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDeletedMailLeavesTheStore: the body of a message expunged on the
// server stays stashed for relinking for a while, then garbage collection
// removes it, so the store does not grow with mail deleted elsewhere.
func TestDeletedMailLeavesTheStore(t *testing.T) {
	f := newFixture(t, 10)
	f.syncOnce(Options{})
	ctx := context.Background()
	acct, _ := f.st.Account(ctx, "dove")
	inbox, err := f.st.FolderByName(ctx, acct, "INBOX")
	must(t, err)
	// A message whose bytes no other message shares.
	uids, _ := f.st.UIDs(ctx, inbox.ID)
	hashes := map[store.Hash]int{}
	byUID := map[store.UID]store.Hash{}
	for _, u := range uids {
		id, err := f.st.Lookup(ctx, inbox.ID, u.UID)
		must(t, err)
		h, ok, err := f.st.BodyHash(ctx, id)
		must(t, err)
		if ok {
			hashes[h]++
			byUID[u.UID] = h
		}
	}
	victim := store.UID(0)
	for _, u := range uids {
		if h, ok := byUID[u.UID]; ok && hashes[h] == 1 {
			victim = u.UID
			break
		}
	}
	if victim == 0 {
		t.Fatal("no message with unique bytes in INBOX")
	}
	other := f.client()
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	must(t, other.Store(imap.UIDSetNum(imap.UID(victim)), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	must(t, other.Expunge().Close())
	closeClient(other)

	f.syncOnce(Options{}) // expunged here: the body stays stashed for relinking
	if _, err := f.st.RawByHash(ctx, byUID[victim]); err != nil {
		t.Fatalf("body gone right after the expunge: %v", err)
	}
	later := func() time.Time { return time.Now().Add(stashKeep + time.Hour) }
	f.syncOnce(Options{Now: later})
	if _, err := f.st.RawByHash(ctx, byUID[victim]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("body of the expunged message still stored after the stash expired: %v", err)
	}
	f.assertInStep(true)
}

// A folder whose UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ are as stored is
// taken as unchanged without reading its UIDs only when the store also
// holds as many messages as the server reports: a row missing locally is
// fetched again.
func TestUnchangedFolderNeedsTheSameCount(t *testing.T) {
	f := newFixture(t, 30)
	f.syncOnce(Options{})
	ctx := context.Background()
	acct, _ := f.st.Account(ctx, "dove")
	inbox, err := f.st.FolderByName(ctx, acct, "INBOX")
	must(t, err)
	uids, err := f.st.UIDs(ctx, inbox.ID)
	must(t, err)
	if len(uids) == 0 {
		t.Fatal("empty INBOX")
	}
	must(t, f.st.DeleteUIDs(ctx, inbox.ID, []store.UID{uids[0].UID}))
	sum := f.syncOnce(Options{})
	for _, fs := range sum.Folders {
		if fs.Folder == "INBOX" && fs.New != 1 {
			t.Errorf("INBOX after losing a row locally: %+v, want 1 new", fs)
		}
	}
	f.assertInStep(true)
}
