package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		in   string
		want Query
	}{
		{`from:alice subject:"季度 报告" has:attachment is:unread`, Query{
			Terms:         []Term{{Field: FieldFrom, Text: "alice"}, {Field: FieldSubject, Text: "季度 报告", Phrase: true}},
			HasAttachment: true, Unread: true}},
		{`to:bob@x.cn  is:flagged folder:"已发送" after:2024-01-02 before:2024-02-01`, Query{
			Terms: []Term{{Field: FieldTo, Text: "bob@x.cn"}}, Flagged: true, Folder: "已发送",
			After: time.Date(2024, 1, 2, 0, 0, 0, 0, cst), Before: time.Date(2024, 2, 1, 0, 0, 0, 0, cst)}},
		{`邮箱 搬家 "exact phrase" re:hello http://x.y`, Query{Terms: []Term{
			{Text: "邮箱"}, {Text: "搬家"}, {Text: "exact phrase", Phrase: true}, {Text: "re:hello"}, {Text: "http://x.y"}}}},
		{`say "he said ""hi"""`, Query{Terms: []Term{{Text: "say"}, {Text: `he said "hi"`, Phrase: true}}}},
		{`FROM:Alice IS:READ`, Query{Terms: []Term{{Field: FieldFrom, Text: "Alice"}}, Read: true}},
		{"", Query{}},
	}
	for _, c := range cases {
		got, err := ParseQueryIn(c.in, cst)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`"open`, `before:2024-13-01`, `after:yesterday`, `is:maybe`, `has:pdf`, `from:`, `subject:"x`} {
		_, err := ParseQuery(bad)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%q: err = %v, want *QueryError", bad, err)
		}
	}
}

func searchFixture(t *testing.T) (fixture, map[string]MessageID) {
	f := newFixture(t)
	ctx := context.Background()
	sent, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, Name: "已发送", RawName: "&XfJT0ZAB-", Role: "sent"})
	must(t, err)
	msgs := []Message{
		{UID: 1, MsgID: "move@x", From: Address{Name: "王小明", Addr: "wang@corp.cn"}, To: []Address{{Addr: "me@corp.cn"}},
			Subject: "关于公司邮箱迁移", Date: day0, Size: 10},
		{UID: 2, MsgID: "report@x", From: Address{Name: "Alice Smith", Addr: "alice@example.com"}, Cc: []Address{{Name: "Bob", Addr: "bob@example.com"}},
			Subject: "Quarterly report", Date: day0.Add(24 * time.Hour), Flags: FlagSeen | FlagFlagged, HasAttachment: true, Size: 10},
		{UID: 3, MsgID: "inject@x", From: Address{Addr: "eve@evil.test"}, Subject: `weird "quotes" AND OR NOT * NEAR(x) col:umn 100%_done`,
			Date: day0.Add(48 * time.Hour), Flags: FlagSeen, Size: 10},
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	must(t, f.s.PutHeaders(ctx, sent, []Message{{UID: 1, MsgID: "sent@x", From: Address{Addr: "me@corp.cn"},
		To: []Address{{Name: "Alice", Addr: "alice@example.com"}}, Subject: "Re: report", Date: day0.Add(72 * time.Hour), Flags: FlagSeen, Size: 10}}))
	idOf := map[string]MessageID{}
	for _, p := range []struct {
		folder FolderID
		uid    UID
		key    string
		body   string
	}{
		{f.inbox, 1, "move", "我们下周开始邮箱搬家，请提前备份。"},
		{f.inbox, 2, "report", "Please find the numbers attached. Café résumé."},
		{f.inbox, 3, "inject", "nothing"},
		{sent, 1, "sent", "Thanks Alice"},
	} {
		id, err := f.s.Lookup(ctx, p.folder, p.uid)
		must(t, err)
		must(t, f.s.PutBody(ctx, id, Body{Raw: []byte(p.body), Text: p.body}))
		idOf[p.key] = id
	}
	return f, idOf
}

func TestSearchLanguage(t *testing.T) {
	f, id := searchFixture(t)
	ctx := context.Background()
	cases := []struct {
		q    string
		want []string // newest first
	}{
		{`搬家`, []string{"move"}},     // trigram needs 3: LIKE fallback
		{`邮箱`, []string{"move"}},     // 2-char, in subject and body
		{`邮箱搬家`, []string{"move"}},   // FTS
		{`公司邮箱迁移`, []string{"move"}}, // FTS, subject
		{`from:王小明`, []string{"move"}},
		{`from:wang@corp`, []string{"move"}},
		{`from:alice`, []string{"report"}},
		{`to:alice`, []string{"sent"}},
		{`to:bob`, []string{"report"}}, // Cc counts as to:
		{`subject:report`, []string{"sent", "report"}},
		{`REPORT is:flagged`, []string{"report"}},
		{`has:attachment`, []string{"report"}},
		{`is:unread`, []string{"move"}},
		{`folder:sent`, []string{"sent"}},
		{`folder:已发送 alice`, []string{"sent"}},
		{`folder:inbox alice`, []string{"report"}},
		{`"find the numbers"`, []string{"report"}},
		{`"the find numbers"`, nil},
		{`cafe resume`, []string{"report"}}, // diacritics folded
		{`after:2024-03-02 before:2024-03-04`, []string{"inject", "report"}},
		{`"quotes" AND`, []string{"inject"}},
		{`NEAR(x)`, []string{"inject"}},
		{`*`, []string{"inject"}}, // literal, not an FTS prefix
		{`100%_done`, []string{"inject"}},
		{`%_`, []string{"inject"}},
		{`0%`, []string{"inject"}},
		{`"x) OR body:(nothing"`, nil},
		{`col:umn`, []string{"inject"}},
		{`nothing`, []string{"inject"}},
		{`zz`, nil},
	}
	names := map[MessageID]string{}
	for k, v := range id {
		names[v] = k
	}
	// Every plan answers alike (Search picks one by the index's hits).
	for _, c := range cases {
		for _, p := range []searchPlan{planAuto, planHits, planWalk} {
			q, err := ParseQueryIn(c.q, time.UTC)
			must(t, err)
			res, err := f.s.search(ctx, SearchRequest{Account: f.acct, Query: q}, p)
			if err != nil {
				t.Errorf("%q plan %d: %v", c.q, p, err)
				continue
			}
			var got []string
			for _, m := range res {
				got = append(got, names[m.ID])
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%q plan %d = %v, want %v", c.q, p, got, c.want)
			}
		}
	}
	// Account scoping: another account sees nothing; 0 means all accounts.
	other, err := f.s.Account(ctx, "personal")
	must(t, err)
	q, _ := ParseQuery("邮箱")
	if res, _ := f.s.Search(ctx, SearchRequest{Account: other, Query: q}); len(res) != 0 {
		t.Errorf("other account found %d", len(res))
	}
	if res, _ := f.s.Search(ctx, SearchRequest{Query: q}); len(res) != 1 {
		t.Errorf("all accounts found %d", len(res))
	}
}

func TestFTSKeptInStep(t *testing.T) {
	f, id := searchFixture(t)
	ctx := context.Background()
	find := func(s string) int {
		q, _ := ParseQuery(s)
		res, err := f.s.Search(ctx, SearchRequest{Query: q})
		must(t, err)
		return len(res)
	}
	// Replacing the body text re-indexes it.
	must(t, f.s.PutBody(ctx, id["move"], Body{Raw: []byte("x"), Text: "全新的内容"}))
	if find("邮箱搬家") != 0 || find("全新的内容") != 1 {
		t.Error("body update not reflected in index")
	}
	must(t, f.s.DeleteUIDs(ctx, f.inbox, []UID{2}))
	if find("Quarterly") != 0 {
		t.Error("deleted message still found")
	}
	// FTS5 integrity-check compares the index with the external content.
	_, err := f.s.w.ExecContext(ctx, `INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)`)
	must(t, err)
}
