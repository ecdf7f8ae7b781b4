package store

import (
	"context"
	"testing"
)

func TestCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(5, 1)))
	must(t, f.s.PutHeaders(ctx, f.archive, genMessages(2, 1)))
	id, err := f.s.Lookup(ctx, f.inbox, 3)
	must(t, err)
	must(t, f.s.PutBody(ctx, id, Body{Raw: []byte("raw"), Text: "text"}))
	// A provisional row (an offline move) is not counted as held.
	_, err = f.s.EnqueueOp(ctx, Op{Kind: OpMove, Folder: f.inbox, Target: f.archive, UIDs: []UID{1}})
	must(t, err)
	got, err := f.s.Counts(ctx, f.acct)
	must(t, err)
	if got[f.inbox] != (LocalCounts{Messages: 4, Bodies: 1}) || got[f.archive] != (LocalCounts{Messages: 2}) {
		t.Fatalf("counts = %+v", got)
	}
}
