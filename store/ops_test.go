package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestOpQueueAppliesLocallyAndSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	f := fixtureOn(t, s)
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(6, 1)))
	raw1 := []byte("raw one")
	id1, _ := f.s.Lookup(ctx, f.inbox, 1)
	must(t, f.s.PutBody(ctx, id1, Body{Raw: raw1, Text: "独一无二的正文"}))

	before, _ := f.s.UnreadCounts(ctx, f.acct)
	// uid 1 and 4 are unread (every 3rd from 0).
	flag, err := f.s.EnqueueOp(ctx, Op{Kind: OpFlagsAdd, Folder: f.inbox, UIDs: []UID{1, 4, 999}, Flags: FlagSeen | FlagFlagged, Keywords: []string{"$Todo"}})
	must(t, err)
	after, _ := f.s.UnreadCounts(ctx, f.acct)
	if before[f.inbox]-after[f.inbox] != 2 {
		t.Errorf("unread %d → %d, want 2 fewer", before[f.inbox], after[f.inbox])
	}
	m1, _ := f.s.Message(ctx, id1)
	if !m1.Flags.Has(FlagSeen|FlagFlagged) || !slices.Equal(m1.Keywords, []string{"$Todo"}) {
		t.Errorf("flags not applied: %+v", m1)
	}
	_, err = f.s.EnqueueOp(ctx, Op{Kind: OpFlagsRemove, Folder: f.inbox, UIDs: []UID{1}, Flags: FlagFlagged, Keywords: []string{"$todo"}})
	must(t, err)
	m1, _ = f.s.Message(ctx, id1)
	if m1.Flags != FlagSeen || len(m1.Keywords) != 0 {
		t.Errorf("remove not applied: %+v", m1)
	}

	move, err := f.s.EnqueueOp(ctx, Op{Kind: OpMove, Folder: f.inbox, Target: f.archive, UIDs: []UID{1, 2}})
	must(t, err)
	if !slices.Equal(move.NewUIDs, []UID{-1, -2}) || move.Messages[0] != id1 {
		t.Fatalf("move = %+v", move)
	}
	if _, err := f.s.Lookup(ctx, f.inbox, 1); !errors.Is(err, ErrNotFound) {
		t.Error("moved message still in source")
	}
	if got, err := f.s.Raw(ctx, id1); err != nil || !bytes.Equal(got, raw1) {
		t.Errorf("moved message lost its body: %v", err)
	}
	cp, err := f.s.EnqueueOp(ctx, Op{Kind: OpCopy, Folder: f.inbox, Target: f.archive, UIDs: []UID{3}})
	must(t, err)
	if !slices.Equal(cp.NewUIDs, []UID{-3}) {
		t.Errorf("copy new uids = %v", cp.NewUIDs)
	}
	// A flag change on a message moved offline names its provisional UID.
	flagMoved, err := f.s.EnqueueOp(ctx, Op{Kind: OpFlagsAdd, Folder: f.archive, UIDs: []UID{-1}, Flags: FlagAnswered})
	must(t, err)
	_, err = f.s.EnqueueOp(ctx, Op{Kind: OpExpunge, Folder: f.inbox, UIDs: []UID{5}})
	must(t, err)
	if _, err := f.s.Lookup(ctx, f.inbox, 5); !errors.Is(err, ErrNotFound) {
		t.Error("expunged message still there")
	}
	draftRaw := []byte("From: me\r\nSubject: 草稿\r\n\r\n\x00draft\xff")
	ap, err := f.s.EnqueueOp(ctx, Op{Kind: OpAppend, Folder: f.archive, Flags: FlagSeen | FlagDraft,
		Append: &Draft{Message: Message{MsgID: "<draft@x>", Subject: "草稿"}, Body: Body{Raw: draftRaw, Text: "草稿正文"}}})
	must(t, err)
	if len(ap.Messages) != 1 || ap.NewUIDs[0] != -4 {
		t.Fatalf("append = %+v", ap)
	}
	if _, err := f.s.EnqueueOp(ctx, Op{Kind: OpMove, Folder: f.inbox, Target: 9999, UIDs: []UID{6}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("move to missing folder: %v", err)
	}

	// Restart: the queue is in the database.
	must(t, s.Close())
	s, err = Open(ctx, path)
	must(t, err)
	defer s.Close()
	ops, err := s.PendingOps(ctx, f.acct)
	must(t, err)
	kinds := []OpKind{}
	for _, o := range ops {
		kinds = append(kinds, o.Kind)
	}
	if !slices.Equal(kinds, []OpKind{OpFlagsAdd, OpFlagsRemove, OpMove, OpCopy, OpFlagsAdd, OpExpunge, OpAppend}) {
		t.Fatalf("pending kinds = %v", kinds)
	}
	if got := ops[0]; !slices.Equal(got.UIDs, []UID{1, 4, 999}) || got.Flags != FlagSeen|FlagFlagged || got.Keywords[0] != "$Todo" || got.ID != flag.ID {
		t.Errorf("flag op = %+v", got)
	}
	if got := ops[2]; got.Target != f.archive || !slices.Equal(got.NewUIDs, []UID{-1, -2}) {
		t.Errorf("move op = %+v", got)
	}
	draft, err := s.Raw(ctx, ops[6].Messages[0])
	if err != nil || !bytes.Equal(draft, draftRaw) {
		t.Errorf("draft raw: %v", err)
	}
	// Even a UIDVALIDITY reset plus GC keep the queued draft.
	must(t, s.ResetFolder(ctx, f.archive, 12345))
	_, err = s.GC(ctx, time.Now().Add(time.Hour))
	must(t, err)
	if draft, err := s.RawByHash(ctx, ops[6].Blob); err != nil || !bytes.Equal(draft, draftRaw) {
		t.Errorf("draft after reset+GC: %v", err)
	}
	if _, err := s.Lookup(ctx, f.archive, ops[6].NewUIDs[0]); err != nil {
		t.Errorf("provisional draft row gone after reset: %v", err)
	}

	// The engine moved them: server said COPYUID 1,2 → 500,501.
	must(t, s.CompleteOp(ctx, move.ID, OpResult{UIDs: map[UID]UID{-1: 500, -2: 501}}))
	if id, err := s.Lookup(ctx, f.archive, 500); err != nil || id != id1 {
		t.Errorf("uid 500 → %d, %v; want %d", id, err, id1)
	}
	ops, _ = s.PendingOps(ctx, f.acct)
	for _, o := range ops {
		if o.ID == flagMoved.ID && !slices.Equal(o.UIDs, []UID{500}) {
			t.Errorf("later op still names provisional uid: %v", o.UIDs)
		}
	}
	// The copy: the sync saw the server copy first; the provisional row merges.
	m3 := genMessages(3, 1)[2]
	m3.UID = 502
	must(t, s.PutHeaders(ctx, f.archive, []Message{m3}))
	must(t, s.CompleteOp(ctx, cp.ID, OpResult{UIDs: map[UID]UID{-3: 502}}))
	if n := count(t, s, "SELECT count(*) FROM messages WHERE folder_id = ? AND message_id = 'm3@example.com'", f.archive); n != 1 {
		t.Errorf("%d copies of m3 in archive, want 1", n)
	}
	// Append without APPENDUID: the next sync adopts the provisional row by Message-ID.
	must(t, s.CompleteOp(ctx, ap.ID, OpResult{}))
	must(t, s.PutHeaders(ctx, f.archive, []Message{{UID: 503, MsgID: "draft@x", Subject: "草稿", Flags: FlagSeen | FlagDraft}}))
	if id, err := s.Lookup(ctx, f.archive, 503); err != nil || id != ap.Messages[0] {
		t.Errorf("append adoption: %d, %v", id, err)
	}

	// Transient failures count attempts; a conflict ends the op.
	must(t, s.FailOp(ctx, flagMoved.ID, "connection reset", false))
	ops, _ = s.PendingOps(ctx, f.acct)
	if ops[2].ID != flagMoved.ID || ops[2].Attempts != 1 || ops[2].Reason != "connection reset" {
		t.Errorf("after transient failure: %+v", ops[2])
	}
	for range maxAttempts {
		must(t, s.FailOp(ctx, flagMoved.ID, "again", false))
	}
	failed, _ := s.Ops(ctx, f.acct, OpFailed)
	if len(failed) != 1 || failed[0].ID != flagMoved.ID {
		t.Errorf("failed ops = %+v", failed)
	}
	if err := s.CompleteOp(ctx, 9999, OpResult{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("complete missing: %v", err)
	}
}

func TestFailOpConflictUndoesMove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	msgs := genMessages(1, 1)
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	id, _ := f.s.Lookup(ctx, f.inbox, 1)
	raw := []byte("body bytes")
	must(t, f.s.PutBody(ctx, id, Body{Raw: raw, Text: "t"}))
	mv, err := f.s.EnqueueOp(ctx, Op{Kind: OpMove, Folder: f.inbox, Target: f.archive, UIDs: []UID{1}})
	must(t, err)
	must(t, f.s.FailOp(ctx, mv.ID, "NO [TRYCREATE]", true))
	conf, _ := f.s.Ops(ctx, f.acct, OpConflict)
	if len(conf) != 1 || conf[0].Reason != "NO [TRYCREATE]" {
		t.Fatalf("conflicts = %+v", conf)
	}
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != 0 {
		t.Errorf("provisional row left: %d", n)
	}
	// The next sync of the source brings the message back, body included.
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	id, _ = f.s.Lookup(ctx, f.inbox, 1)
	if got, err := f.s.Raw(ctx, id); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("body after conflict: %v", err)
	}
}

func TestSetFlagsUIDsNeedBodies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(10, 1)))
	must(t, f.s.SetFlags(ctx, f.inbox, []UIDFlags{{UID: 1, Flags: FlagSeen, Keywords: []string{"$Junk"}, ModSeq: 9}, {UID: 77, Flags: FlagSeen}}))
	us, err := f.s.UIDs(ctx, f.inbox)
	must(t, err)
	if len(us) != 10 || us[0].UID != 1 || us[0].Flags != FlagSeen || us[0].Keywords[0] != "$Junk" || us[0].ModSeq != 9 || us[9].UID != 10 {
		t.Errorf("uids = %+v", us)
	}
	must(t, f.s.DeleteUIDs(ctx, f.inbox, []UID{2, 3, 4}))
	need, err := f.s.NeedBodies(ctx, f.inbox, 3)
	must(t, err)
	if len(need) != 3 || need[0].UID != 10 || need[2].UID != 8 {
		t.Errorf("need bodies = %+v", need)
	}
	// Page by page, the same list in the same order.
	all, err := f.s.NeedBodies(ctx, f.inbox, 100)
	must(t, err)
	var paged []UID
	for page := need; len(page) > 0; {
		for _, n := range page {
			paged = append(paged, n.UID)
		}
		page, err = f.s.NeedBodiesAfter(ctx, f.inbox, page[len(page)-1], 3)
		must(t, err)
	}
	var want []UID
	for _, n := range all {
		want = append(want, n.UID)
	}
	if !slices.Equal(paged, want) || len(want) != 7 {
		t.Errorf("need bodies by pages of 3 = %v, all at once %v", paged, want)
	}
	if err := f.s.SetUID(ctx, f.inbox, 5, 6); err == nil {
		t.Error("SetUID accepted a server UID as provisional")
	}
}
