package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSearchPlans proves each plan of Search by EXPLAIN QUERY PLAN on the
// scale fixture: the FTS hits drive a rare term; the date index drives a
// walk (never a sort of the account); the short-term candidates come from
// the vocabulary and the tail indexes. It asserts plans, never durations.
func TestSearchPlans(t *testing.T) {
	f := newFixture(t)
	fillFolder(t, f.s, f.inbox, scaleRows)
	_, err := f.s.w.Exec(`UPDATE messages SET flags = flags | 4 WHERE uid % 50 = 7`) // a few flagged
	must(t, err)
	// A rare character at every place a lookup must find it: the last
	// character, the second-last, inside (a trigram begins with it), alone.
	must(t, f.s.PutHeaders(context.Background(), f.archive, []Message{
		{UID: 1, Subject: "发给鑫", From: Address{Name: "张鑫", Addr: "x@y.cn"}, Date: day0},
		{UID: 2, Subject: "鑫a", Date: day0.Add(time.Hour)},
		{UID: 3, Subject: "a鑫b c", Date: day0.Add(2 * time.Hour)},
		{UID: 4, Subject: "鑫", Date: day0.Add(3 * time.Hour)},
		{UID: 5, Subject: "Qz", To: []Address{{Addr: "q@z"}}, Date: day0.Add(4 * time.Hour)},
	}))
	indexHeaders(t, f.s)
	must(t, analyze(f.s))
	ctx := context.Background()
	parse := func(s string) Query {
		q, err := ParseQuery(s)
		must(t, err)
		return q
	}
	acct := scope{acct: f.acct}
	inbox := scope{acct: f.acct, folders: []FolderID{f.inbox}}
	two := scope{acct: f.acct, folders: []FolderID{f.inbox, f.archive}}
	after := scope{acct: f.acct, after: &Cursor{Date: day0.Add(time.Hour).Unix(), ID: 500}}
	hits := func(sc scope, s string) stmt {
		q := parse(s)
		m, _ := ftsMatch(q)
		return hitsSQL(sc, q, m, 50)
	}
	flagged := scope{acct: f.acct, flagged: true}
	flaggedInbox := scope{acct: f.acct, folders: []FolderID{f.inbox}, flagged: true}
	cands, exact, ok, err := f.s.shortCandidates(ctx, parse("号1 is:unread"))
	must(t, err)
	if !ok || len(cands) == 0 || exact != 0 {
		t.Fatalf("号1: %d candidates, exact %d, %v", len(cands), exact, ok)
	}
	for s, want := range map[string]int{"鑫": 4, "subject:鑫": 4, "from:鑫": 1, "q": 1, "Z": 1, "to:z": 1, "鑫 folder:归档 鑫a": 1} {
		ids, _, ok, err := f.s.shortCandidates(ctx, parse(s))
		must(t, err)
		res, err := f.s.search(ctx, SearchRequest{Account: f.acct, Query: parse(s)}, planHits)
		must(t, err)
		if !ok || len(ids) < want || len(res) != want {
			t.Errorf("%q: %d candidates (%v), %d found, want %d", s, len(ids), ok, len(res), want)
		}
	}
	cases := []struct {
		name string
		st   stmt
		want []string
		deny []string
	}{
		{"hits", hits(acct, "季度报告 from:sender"),
			[]string{"VIRTUAL TABLE INDEX", "USING INTEGER PRIMARY KEY (rowid=?)"}, []string{"SCAN m"}},
		{"hits folder+filters", hits(inbox, "invoice is:unread after:2024-01-01 邮箱"),
			[]string{"VIRTUAL TABLE INDEX", "USING INTEGER PRIMARY KEY (rowid=?)"}, []string{"SCAN m", "messages_folder_date"}},
		{"walk", walkSQL(acct, parse("from:sender"), 50),
			[]string{"USING INDEX messages_account_date (account_id=?)", "SEARCH t EXISTS USING INTEGER PRIMARY KEY (rowid=?)"},
			[]string{"SCAN m", "TEMP B-TREE", "SCAN t", "INDEX 0:=M"}},
		{"walk folder", walkSQL(inbox, parse("invoice is:unread after:2024-01-01"), 50),
			[]string{"USING INDEX messages_folder_date (folder_id=? AND sort_date>?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"walk folders", walkSQL(two, parse("invoice"), 50),
			[]string{"USING INDEX messages_account_date (account_id=?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"walk after", walkSQL(after, parse("季度报告 邮箱"), 50),
			[]string{"USING INDEX messages_account_date (account_id=? AND sort_date<?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"walk flagged", walkSQL(flagged, parse("is:flagged 邮箱"), 50),
			[]string{"USING INDEX messages_flagged (account_id=?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"walk flagged folder", walkSQL(flaggedInbox, parse("is:flagged folder:inbox"), 50),
			[]string{"USING INDEX messages_flagged (account_id=?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"walk filters only", walkSQL(acct, parse("is:unread has:attachment"), 50),
			[]string{"USING INDEX messages_account_date (account_id=?)"}, []string{"SCAN m", "TEMP B-TREE"}},
		{"short occurrences", occurrencesSQL(FieldAny, "号1"),
			[]string{"SCAN fts_occurs VIRTUAL TABLE INDEX", "USING COVERING INDEX texts_tail_body (<expr>=?)",
				"USING COVERING INDEX texts_tail_subject (<expr>=?)", "USING COVERING INDEX texts_tail_rcpt (<expr>=?)"},
			[]string{"SCAN texts", "fts_occurs VIRTUAL TABLE INDEX 0:"}},
		{"short occurrences from:", occurrencesSQL(FieldFrom, "号1"),
			[]string{"SCAN fts_occurs VIRTUAL TABLE INDEX", "USING COVERING INDEX texts_tail_from (<expr>=?)"}, []string{"SCAN texts", "fts_occurs VIRTUAL TABLE INDEX 0:"}},
		{"short candidates", candidatesSQL(acct, parse("号1 is:unread"), cands, exact, 50),
			[]string{"USING INTEGER PRIMARY KEY (rowid=?)"}, []string{"SCAN m", "SCAN t", "SEARCH t"}},
	}
	for _, c := range cases {
		p := plan(t, f.s, c.st.q, c.st.args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: plan lacks %q:\n%s", c.name, w, p)
			}
		}
		for _, d := range c.deny {
			if strings.Contains(p, d) {
				t.Errorf("%s: plan has %q:\n%s", c.name, d, p)
			}
		}
	}

	// Every plan returns the same page, for dense and rare terms, short
	// and long, with and without filters.
	for _, s := range []string{"from:sender", "季度报告 is:unread", "invoice folder:inbox after:2024-03-05",
		"编号345", "subject:number", "邮箱", "号1", "45", "zz", "ZZ", "s9", "m>", "to:me>", "编号 季度报告",
		"is:unread has:attachment", "m 9", "is:flagged", "is:flagged 邮箱", "is:flagged folder:inbox 季度报告", "45 is:flagged", "鑫", "subject:鑫", "from:鑫", "to:z", "z", "7", "号", "Q"} {
		q := parse(s)
		for _, limit := range []int{30, scaleRows} {
			req := SearchRequest{Account: f.acct, Query: q, Limit: limit}
			var got [3][]MessageID
			for i, p := range []searchPlan{planAuto, planHits, planWalk} {
				res, err := f.s.search(ctx, req, p)
				must(t, err)
				got[i] = ids(res)
			}
			if !slices.Equal(got[0], got[1]) || !slices.Equal(got[0], got[2]) {
				t.Errorf("%q limit %d: auto %d rows, hits %d, walk %d (first %v %v %v)", s, limit,
					len(got[0]), len(got[1]), len(got[2]), head(got[0]), head(got[1]), head(got[2]))
			}
		}
	}
}

func head(ids []MessageID) []MessageID { return ids[:min(len(ids), 5)] }

// TestSearchPages pages a search by keyset: the pages put together are the
// whole result, newest first, each row once.
func TestSearchPages(t *testing.T) {
	f := newFixture(t)
	fillFolder(t, f.s, f.inbox, 3000)
	ctx := context.Background()
	for _, s := range []string{"季度报告", "邮箱", "zz", "编号1"} {
		q, _ := ParseQuery(s)
		all, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q, Limit: 5000})
		must(t, err)
		var paged []Message
		req := SearchRequest{Account: f.acct, Query: q, Limit: 70}
		for {
			p, err := f.s.Search(ctx, req)
			must(t, err)
			paged = append(paged, p...)
			if len(p) < req.Limit {
				break
			}
			c := p[len(p)-1].Cursor()
			req.After = &c
		}
		if !slices.Equal(ids(all), ids(paged)) {
			t.Errorf("%q: %d rows in one, %d paged", s, len(all), len(paged))
		}
	}
}

// TestMigrateSearchShort upgrades a store made before the short-term
// indexes in place: the tail indexes cover the rows it already held.
func TestMigrateSearchShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	v := slicesIndexFunc(t)
	old, err := open(ctx, path, v)
	must(t, err)
	f := fixtureOn(t, old)
	msgs := genMessages(3, 1)
	msgs[1].Subject = "会议 改到 周五"
	must(t, old.PutHeaders(ctx, f.inbox, msgs))
	indexHeaders(t, old) // as the index stage of that version left them
	must(t, old.Close())

	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	if got := count(t, s, "PRAGMA user_version"); got != len(migrations) {
		t.Fatalf("upgraded to v%d", got)
	}
	q, _ := ParseQuery("周五")
	for _, p := range []searchPlan{planAuto, planHits, planWalk} {
		res, err := s.search(ctx, SearchRequest{Account: f.acct, Query: q}, p)
		must(t, err)
		if len(res) != 1 || res[0].UID != 2 {
			t.Errorf("plan %d: 周五 = %v", p, ids(res))
		}
	}
	if n := count(t, s, `SELECT count(*) FROM texts WHERE lower(substr(subject, -2)) = '周五'`); n != 1 {
		t.Errorf("tail index finds %d", n)
	}
}

// slicesIndexFunc is the schema version just before migrateSearchShort.
func slicesIndexFunc(t *testing.T) int {
	for i, m := range migrations {
		if fmt.Sprintf("%p", m) == fmt.Sprintf("%p", migrateSearchShort) {
			return i
		}
	}
	t.Fatal("migrateSearchShort not in migrations")
	return 0
}
