package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestOutboxClaimSendsOnceAndFilesOneCopy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sent, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, Name: "已发送", RawName: "Sent", Role: "sent"})
	must(t, err)
	raw := []byte("From: a@x\r\nMessage-ID: <o1@x>\r\nSubject: hi\r\n\r\nbody\r\n")
	id, err := f.s.QueueOutgoing(ctx, Outgoing{Account: f.acct, From: "a@x", Rcpts: []string{"b@x", "c@x"}, MsgID: "<o1@x>", Subject: "hi", Raw: raw})
	must(t, err)
	later, err := f.s.QueueOutgoing(ctx, Outgoing{Account: f.acct, From: "a@x", Rcpts: []string{"b@x"}, Raw: raw,
		NotBefore: time.Now().Add(time.Hour)})
	must(t, err)

	due, err := f.s.DueOutgoing(ctx, f.acct, time.Now())
	must(t, err)
	if len(due) != 1 || due[0].ID != id || len(due[0].Rcpts) != 2 || string(due[0].Raw) != string(raw) || due[0].MsgID != "o1@x" {
		t.Fatalf("due %+v", due)
	}
	if due, _ := f.s.DueOutgoing(ctx, f.acct, time.Now().Add(2*time.Hour)); len(due) != 2 || due[1].ID != later {
		t.Fatalf("scheduled message not due later: %+v", due)
	}

	// Many senders race for the message: one wins.
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := f.s.ClaimOutgoing(ctx, id); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, ErrClaimed) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d claims won", wins)
	}
	copyOp := &Op{Kind: OpAppend, Folder: sent, Flags: FlagSeen,
		Append: &Draft{Message: Message{MsgID: "o1@x", Subject: "hi"}, Body: Body{Raw: raw}}}
	must(t, f.s.MarkSent(ctx, id, copyOp))
	if err := f.s.MarkSent(ctx, id, copyOp); !errors.Is(err, ErrClaimed) {
		t.Fatalf("second MarkSent: %v", err)
	}
	ops, err := f.s.PendingOps(ctx, f.acct)
	must(t, err)
	if len(ops) != 1 || ops[0].Kind != OpAppend || ops[0].Folder != sent {
		t.Fatalf("sent copy ops %+v", ops)
	}
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE folder_id = ?`, sent); n != 1 {
		t.Fatalf("%d rows in Sent", n)
	}
	left, _ := f.s.Outbox(ctx, 0)
	if len(left) != 1 || left[0].ID != later {
		t.Fatalf("outbox %+v", left)
	}
}

func TestOutboxReleaseKeepsTheMessage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.s.QueueOutgoing(ctx, Outgoing{Account: f.acct, From: "a@x", Rcpts: []string{"b@x"}, Raw: []byte("x")})
	must(t, err)
	must(t, f.s.ClaimOutgoing(ctx, id))
	must(t, f.s.ReleaseOutgoing(ctx, id, "offline", false))
	o, err := f.s.OutgoingByID(ctx, id)
	must(t, err)
	if o.State != OutQueued || o.Attempts != 1 || o.Reason != "offline" {
		t.Fatalf("after transient failure %+v", o)
	}
	must(t, f.s.ClaimOutgoing(ctx, id))
	must(t, f.s.ReleaseOutgoing(ctx, id, "550 no such user", true))
	if o, _ := f.s.OutgoingByID(ctx, id); o.State != OutFailed || string(o.Raw) != "x" {
		t.Fatalf("after refusal %+v", o)
	}
	if err := f.s.ClaimOutgoing(ctx, id); !errors.Is(err, ErrClaimed) {
		t.Fatal("a failed message was claimed")
	}
	must(t, f.s.RetryOutgoing(ctx, id, time.Time{}))
	must(t, f.s.ClaimOutgoing(ctx, id))
	n, err := f.s.AbandonStale(ctx, time.Now().Add(time.Minute), "interrupted")
	must(t, err)
	if o, _ := f.s.OutgoingByID(ctx, id); n != 1 || o.State != OutFailed || o.Reason != "interrupted" {
		t.Fatalf("stale attempt %d %+v", n, o)
	}
	saves, known, err := f.s.ServerSavesSent(ctx, f.acct)
	must(t, err)
	if known || saves {
		t.Fatal("nothing learnt yet")
	}
	must(t, f.s.SetServerSavesSent(ctx, f.acct, true))
	if saves, known, _ := f.s.ServerSavesSent(ctx, f.acct); !saves || !known {
		t.Fatal("learnt value lost")
	}
}

func TestUploadDraftReplacesThePreviousCopy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	drafts, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, Name: "草稿箱", RawName: "Drafts", Role: "drafts"})
	must(t, err)
	id, err := f.s.SaveDraft(ctx, LocalDraft{Account: f.acct, MsgID: "d1@x", Subject: "草稿", Raw: []byte("v1")})
	must(t, err)
	appendOp := func(raw string) Op {
		return Op{Kind: OpAppend, Folder: drafts, Flags: FlagDraft | FlagSeen,
			Append: &Draft{Message: Message{MsgID: "d1@x", Subject: "草稿"}, Body: Body{Raw: []byte(raw)}}}
	}
	row1, err := f.s.UploadDraft(ctx, id, appendOp("v1"))
	must(t, err)
	// The first upload reached the server (UID 7).
	ops, _ := f.s.PendingOps(ctx, f.acct)
	must(t, f.s.CompleteOp(ctx, ops[0].ID, OpResult{UIDs: map[UID]UID{ops[0].NewUIDs[0]: 7}}))

	_, err = f.s.SaveDraft(ctx, LocalDraft{ID: id, Account: f.acct, MsgID: "d1@x", Subject: "草稿", Raw: []byte("v2")})
	must(t, err)
	row2, err := f.s.UploadDraft(ctx, id, appendOp("v2"))
	must(t, err)
	ops, _ = f.s.PendingOps(ctx, f.acct)
	if len(ops) != 2 || ops[0].Kind != OpExpunge || ops[0].UIDs[0] != 7 || ops[1].Kind != OpAppend {
		t.Fatalf("ops %+v", ops)
	}
	// A third version before the second reached the server cancels the
	// second's upload instead of stacking it.
	_, err = f.s.UploadDraft(ctx, id, appendOp("v3"))
	must(t, err)
	ops, _ = f.s.PendingOps(ctx, f.acct)
	if len(ops) != 2 || ops[0].Kind != OpExpunge || ops[1].Kind != OpAppend || ops[1].Messages[0] == row2 {
		t.Fatalf("ops after v3 %+v", ops)
	}
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE folder_id = ?`, drafts); n != 1 {
		t.Fatalf("%d draft rows, want 1", n)
	}
	if row1 == row2 {
		t.Fatal("rows reused")
	}
	list, _ := f.s.Drafts(ctx, f.acct)
	if len(list) != 1 || string(list[0].Raw) != "v2" {
		t.Fatalf("drafts %+v", list)
	}
	must(t, f.s.DeleteDraft(ctx, id))
	if list, _ := f.s.Drafts(ctx, 0); len(list) != 0 {
		t.Fatal("draft not deleted")
	}
}

// TestDraftSurvivesKill saves a draft in a child process that is then
// killed with SIGKILL; the draft is there when the store is reopened.
func TestDraftSurvivesKill(t *testing.T) {
	if path := os.Getenv("MAGPIE_DRAFT_CHILD"); path != "" {
		ctx := context.Background()
		s, err := Open(ctx, path)
		must(t, err)
		acct, err := s.Account(ctx, "work")
		must(t, err)
		_, err = s.SaveDraft(ctx, LocalDraft{Account: acct, Subject: "写了一半", Raw: []byte("half written 草稿")})
		must(t, err)
		os.Stdout.WriteString("saved\n")
		time.Sleep(time.Minute) // killed here
		return
	}
	path := filepath.Join(t.TempDir(), "magpie.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDraftSurvivesKill$")
	cmd.Env = append(os.Environ(), "MAGPIE_DRAFT_CHILD="+path)
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "saved\n" {
		t.Fatalf("child: %q %v", buf, err)
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	s, err := Open(context.Background(), path)
	must(t, err)
	defer s.Close()
	list, err := s.Drafts(context.Background(), 0)
	must(t, err)
	if len(list) != 1 || list[0].Subject != "写了一半" || string(list[0].Raw) != "half written 草稿" {
		t.Fatalf("after kill: %+v", list)
	}
}
