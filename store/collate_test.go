package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestSortByCollation: sorted by sender or subject, case folds in every
// script, accents do not separate, and Chinese follows pinyin after the
// Latin letters (SQLite's lower() folded ASCII only and put É after z).
func TestSortByCollation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	names := []string{"张伟", "Zola", "émile", "Apple", "Ωmega", "阿里", "ÉMILE", "banana", "李娜", "ωmega", "Ярослав"}
	var msgs []Message
	for i, n := range names {
		msgs = append(msgs, Message{UID: UID(i + 1), MsgID: n + "@x", From: Address{Name: n, Addr: "a@example.com"}, Subject: n,
			Date: day0.Add(time.Duration(i) * time.Minute)})
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	want := []string{"Apple", "banana", "émile", "ÉMILE", "Zola", "Ωmega", "ωmega", "Ярослав", "阿里", "李娜", "张伟"}
	for _, by := range []SortField{SortSender, SortSubject} {
		var got []string
		var after *SortCursor
		for {
			rows, curs, err := f.s.PageSorted(ctx, f.inbox, SortedPageRequest{By: by, Limit: 4, After: after})
			must(t, err)
			for _, r := range rows {
				got = append(got, r.Subject)
			}
			if len(rows) < 4 {
				break
			}
			after = &curs[len(curs)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("by %d: %q, want %q", by, got, want)
		}
	}
	k := NewSortKeyer()
	if k.Key("Émile") != k.Key("emile") || k.Key("a") >= k.Key("b") || k.Key("z") >= k.Key("阿") || k.Key("阿") >= k.Key("张") {
		t.Error("SortKeyer disagrees with the rule")
	}
}
