package store

import (
	"context"
	"slices"
	"testing"
)

// TestCreateFolderOffline: the folder exists here at once, under its
// parent, with its creation queued before a move into it; a second call
// finds it; done, it is no longer pending.
func TestCreateFolderOffline(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))

	id, op, err := f.s.CreateFolderOffline(ctx, Folder{Account: f.acct, Name: "归档/新项目", RawName: "&X1pjIw-/&ZbCYeZ53-", Delim: "/"})
	must(t, err)
	if id == 0 || op == 0 {
		t.Fatalf("id %d op %d", id, op)
	}
	got, err := f.s.Folder(ctx, id)
	must(t, err)
	if got.Name != "归档/新项目" || got.Parent != f.archive || !got.Subscribed {
		t.Errorf("folder %+v", got)
	}
	move, err := f.s.EnqueueOp(ctx, Op{Kind: OpMove, Folder: f.inbox, Target: id, UIDs: []UID{1}})
	must(t, err)
	pending, err := f.s.PendingOps(ctx, f.acct)
	must(t, err)
	if len(pending) != 2 || pending[0].ID != op || pending[0].Kind != OpCreateFolder || pending[0].Folder != id ||
		pending[1].ID != move.ID {
		t.Fatalf("queue %+v", pending)
	}
	if p, _ := f.s.PendingFolderCreates(ctx, f.acct); !p[id] || len(p) != 1 {
		t.Errorf("pending creates %v", p)
	}

	again, op2, err := f.s.CreateFolderOffline(ctx, Folder{Account: f.acct, Name: "归档/新项目", RawName: "&X1pjIw-/&ZbCYeZ53-", Delim: "/"})
	must(t, err)
	if again != id || op2 != 0 {
		t.Errorf("second create: %d %d", again, op2)
	}
	if _, op3, _ := f.s.CreateFolderOffline(ctx, Folder{Account: f.acct, RawName: "INBOX"}); op3 != 0 {
		t.Error("an existing folder queued a create")
	}

	must(t, f.s.CompleteOp(ctx, op, OpResult{}))
	if p, _ := f.s.PendingFolderCreates(ctx, f.acct); len(p) != 0 {
		t.Errorf("still pending after done: %v", p)
	}
	pending, _ = f.s.PendingOps(ctx, f.acct)
	if !slices.ContainsFunc(pending, func(o Op) bool { return o.ID == move.ID }) || len(pending) != 1 {
		t.Errorf("after the create: %+v", pending)
	}
	if _, _, err := f.s.CreateFolderOffline(ctx, Folder{Name: "x"}); err == nil {
		t.Error("no account, no raw name: accepted")
	}
}
