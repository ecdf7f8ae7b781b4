package store

import (
	"context"
	"strings"
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

// LackingBodies counts per folder the messages without stored bytes, and
// reads them through messages_nobody only: never a scan of messages.
func TestLackingBodies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(5, 1)))
	must(t, f.s.PutHeaders(ctx, f.archive, genMessages(3, 1)))
	got, err := f.s.LackingBodies(ctx, f.acct)
	must(t, err)
	if got[f.inbox] != 5 || got[f.archive] != 3 {
		t.Fatalf("lacking %v, want 5 in INBOX and 3 in Archive", got)
	}
	id, err := f.s.Lookup(ctx, f.inbox, 2)
	must(t, err)
	must(t, f.s.PutBody(ctx, id, Body{Raw: []byte("Subject: x\r\n\r\nbody\r\n")}))
	if got, err = f.s.LackingBodies(ctx, f.acct); err != nil || got[f.inbox] != 4 {
		t.Fatalf("after one body: %v %v, want 4 in INBOX", got, err)
	}
	must(t, analyze(f.s))
	p := plan(t, f.s, lackingBodiesSQL, f.acct)
	if !strings.Contains(p, "messages_nobody") || strings.Contains(p, "SCAN m") {
		t.Errorf("plan does not walk messages_nobody only:\n%s", p)
	}
}
