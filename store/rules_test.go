package store

import (
	"context"
	"testing"
)

func TestRuleSetAndAppliedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if data, err := f.s.RuleSet(ctx, f.acct); err != nil || data != nil {
		t.Fatalf("empty: %q %v", data, err)
	}
	must(t, f.s.SetRuleSet(ctx, f.acct, []byte(`{"rules":[]}`)))
	must(t, f.s.SetRuleSet(ctx, f.acct, []byte(`{"block":["@x.example"]}`)))
	if data, err := f.s.RuleSet(ctx, f.acct); err != nil || string(data) != `{"block":["@x.example"]}` {
		t.Fatalf("rule set: %q %v", data, err)
	}

	uids := make([]UID, 1200) // more than one IN (…) batch
	for i := range uids {
		uids[i] = UID(i + 1)
	}
	must(t, f.s.MarkRulesApplied(ctx, f.inbox, 7, uids[:1000]))
	must(t, f.s.MarkRulesApplied(ctx, f.inbox, 7, uids[:10])) // twice is harmless
	got, err := f.s.RulesApplied(ctx, f.inbox, 7, uids)
	must(t, err)
	if len(got) != 1000 || !got[1] || !got[1000] || got[1001] {
		t.Fatalf("applied: %d", len(got))
	}
	if w, ok, err := f.s.RulesWatermark(ctx, f.inbox, 7); err != nil || !ok || w != 1000 {
		t.Fatalf("watermark %d %v %v", w, ok, err)
	}
	if _, ok, err := f.s.RulesWatermark(ctx, f.inbox, 8); err != nil || ok {
		t.Fatalf("watermark of a new uidvalidity: %v %v", ok, err)
	}
	// A new UIDVALIDITY is a new mailbox: nothing applied yet.
	if got, _ := f.s.RulesApplied(ctx, f.inbox, 8, uids); len(got) != 0 {
		t.Fatalf("new uidvalidity: %d", len(got))
	}
	// The tracking goes with its folder.
	must(t, f.s.DeleteFolder(ctx, f.inbox))
	if n := count(t, f.s, "SELECT count(*) FROM rules_applied"); n != 0 {
		t.Fatalf("rows left after folder delete: %d", n)
	}
}
