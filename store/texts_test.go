package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestSearchBeforeIndex: a row stored by PutHeaders has no texts row until
// the index stage writes it, once, with its body (or its headers alone);
// meanwhile every plan finds it by its subject, sender and recipients,
// merged in date order with the indexed rows and paged by cursor; after,
// it is found once, by its body too, and the FTS index is in step.
func TestSearchBeforeIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, []Message{
		{UID: 1, MsgID: "a@x", From: Address{Name: "王小明", Addr: "wang@corp.cn"}, To: []Address{{Addr: "me@corp.cn"}},
			Subject: "关于公司邮箱迁移", Date: day0, Size: 10},
		{UID: 2, MsgID: "b@x", From: Address{Name: "Alice", Addr: "alice@example.com"}, Cc: []Address{{Name: "Bob", Addr: "bob@example.com"}},
			Subject: "Quarterly 邮箱 report", Date: day0.Add(time.Hour), Size: 10},
		{UID: 3, MsgID: "c@x", From: Address{Addr: "carol@example.com"}, Subject: "邮箱 old", Date: day0.Add(30 * time.Minute), Size: 10},
	}))
	if n := count(t, f.s, `SELECT count(*) FROM texts`); n != 0 {
		t.Fatalf("texts rows after the headers: %d", n)
	}
	id := map[UID]MessageID{}
	for u := UID(1); u <= 3; u++ {
		var err error
		id[u], err = f.s.Lookup(ctx, f.inbox, u)
		must(t, err)
	}
	// Row 3 is indexed (a body written with its text), between the others
	// in date order.
	must(t, f.s.PutBody(ctx, id[3], Body{Raw: []byte("x"), Text: "indexed body"}))
	uids := func(ms []Message) []UID {
		var out []UID
		for _, m := range ms {
			out = append(out, m.UID)
		}
		return out
	}
	check := func(when string, cases map[string][]UID) {
		t.Helper()
		for s, want := range cases {
			q, err := ParseQuery(s)
			must(t, err)
			for _, p := range []searchPlan{planAuto, planHits, planWalk} {
				res, err := f.s.search(ctx, SearchRequest{Account: f.acct, Query: q}, p)
				must(t, err)
				if got := uids(res); !slices.Equal(got, want) {
					t.Errorf("%s: %q plan %d = %v, want %v", when, s, p, got, want)
				}
			}
		}
	}
	check("before the index", map[string][]UID{
		"邮箱":                 {2, 3, 1},
		"公司邮箱":               {1},
		"from:王小明":           {1},
		"from:alice@example": {2},
		"to:bob":             {2},
		"to:me@corp":         {1},
		"subject:quarterly":  {2},
		"body":               {3},
		"邮箱 is:unread":       {2, 3, 1},
		"nothing":            nil,
	})
	// Paged by cursor, one row a page, across indexed and waiting rows.
	q, _ := ParseQuery("邮箱")
	var got []UID
	var after *Cursor
	for range 4 {
		res, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q, Limit: 1, After: after})
		must(t, err)
		if len(res) == 0 {
			break
		}
		got = append(got, res[0].UID)
		c := res[0].Cursor()
		after = &c
	}
	if !slices.Equal(got, []UID{2, 3, 1}) {
		t.Errorf("pages = %v", got)
	}

	// The index stage: row 1 gets a body first, row 2 has none.
	var enc Encoder
	p, err := enc.Prepare(id[1], Body{Raw: []byte("raw 1")})
	must(t, err)
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p}))
	todo, err := f.s.Unindexed(ctx, f.acct, 0, 10)
	must(t, err)
	if len(todo) != 2 || todo[0].ID != id[1] || todo[0].Hash != p.sum || todo[1].ID != id[2] || todo[1].Hash != (Hash{}) {
		t.Fatalf("unindexed = %+v", todo)
	}
	must(t, f.s.PutTexts(ctx, []BodyText{{ID: id[1], Hash: p.sum, Text: "下周开始搬家"}, {ID: id[2]}}))
	if n, err := f.s.IndexBacklog(ctx, f.acct); err != nil || n != 0 {
		t.Fatalf("backlog = %d, %v", n, err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM texts`); n != 3 {
		t.Fatalf("texts rows after the index: %d", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM texts WHERE id = ? AND from_text = '王小明 <wang@corp.cn>'
		AND rcpt_text = ' <me@corp.cn>' AND body = '下周开始搬家'`, id[1]); n != 1 {
		t.Error("row 1's texts row is not its headers and body")
	}
	if n := count(t, f.s, `SELECT count(*) FROM texts WHERE id = ? AND rcpt_text = 'Bob <bob@example.com>'`, id[2]); n != 1 {
		t.Error("row 2's texts row is not its headers")
	}
	check("after the index", map[string][]UID{
		"邮箱":     {2, 3, 1},
		"搬家":     {1},
		"开始搬家":   {1},
		"to:bob": {2},
	})
	// A body arriving for a row indexed by its headers alone puts it back
	// in the queue; indexing it replaces the text.
	p2, err := enc.Prepare(id[2], Body{Raw: []byte("raw 2")})
	must(t, err)
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p2}))
	if n, err := f.s.IndexBacklog(ctx, f.acct); err != nil || n != 1 {
		t.Fatalf("backlog after a body for an indexed row = %d, %v", n, err)
	}
	must(t, f.s.PutTexts(ctx, []BodyText{{ID: id[2], Hash: p2.sum, Text: "季度报告正文"}}))
	check("after the second body", map[string][]UID{"季度报告": {2}, "邮箱": {2, 3, 1}})
	_, err = f.s.w.ExecContext(ctx, `INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)`)
	must(t, err)
}

// TestCopyBeforeIndex: a copy of a row waiting for the index (no texts
// row) waits too, and is found by its headers meanwhile.
func TestCopyBeforeIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, []Message{{UID: 1, Subject: "复制的邮件", Date: day0}}))
	id, err := f.s.Lookup(ctx, f.inbox, 1)
	must(t, err)
	tx, err := f.s.w.BeginTx(ctx, nil)
	must(t, err)
	nid, err := copyRow(ctx, tx, id, f.archive, 7)
	must(t, err)
	must(t, tx.Commit())
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE id = ? AND indexed = 0`, nid); n != 1 {
		t.Fatal("the copy is not waiting for the index")
	}
	q, _ := ParseQuery("复制的")
	res, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q})
	must(t, err)
	if len(res) != 2 {
		t.Errorf("found %d, want 2", len(res))
	}
	indexHeaders(t, f.s)
	res, err = f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q})
	must(t, err)
	if len(res) != 2 {
		t.Errorf("indexed: found %d, want 2", len(res))
	}
}
