package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var bodyWords = []string{"会议", "邮箱", "搬家", "季度报告", "客户", "合同", "发票", "项目", "进度", "meeting",
	"invoice", "deadline", "schedule", "budget", "review", "请查收", "附件", "谢谢", "周五", "上线"}

// fillFolder puts n generated messages in folder through PutHeaders (one
// transaction) and gives each a body text in one more transaction.
func fillFolder(tb testing.TB, s *Store, folder FolderID, n int) {
	tb.Helper()
	ctx := context.Background()
	must(tb, s.PutHeaders(ctx, folder, genMessages(n, 1)))
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM messages WHERE folder_id = ? ORDER BY id`, folder) // uid order: the bodies name their uid
	must(tb, err)
	var idList []MessageID
	for rows.Next() {
		var id MessageID
		must(tb, rows.Scan(&id))
		idList = append(idList, id)
	}
	rows.Close()
	// The index stage's write: texts of rows without a stored body.
	texts := make([]BodyText, 0, len(idList))
	var b strings.Builder
	for i, id := range idList {
		b.Reset()
		for j := range 40 {
			b.WriteString(bodyWords[(i*7+j*j)%len(bodyWords)])
			if j%3 == 0 {
				b.WriteByte(' ')
			}
		}
		fmt.Fprintf(&b, " 编号%d", i)
		texts = append(texts, BodyText{ID: id, Text: b.String()})
	}
	must(tb, s.PutTexts(ctx, texts))
}

func plan(tb testing.TB, s *Store, q string, args ...any) string {
	tb.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	must(tb, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		must(tb, rows.Scan(&id, &parent, &notused, &detail))
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// TestQueryPlansUseIndexes proves the hot reads are index lookups on a
// 20k-message folder (1k under -race; plans do not depend on size; BenchmarkPage100k and
// friends time 100k). It asserts plans, never durations.
func TestQueryPlansUseIndexes(t *testing.T) {
	f := newFixture(t)
	fillFolder(t, f.s, f.inbox, scaleRows)
	must(t, analyze(f.s))
	cur := Cursor{Date: day0.Add(time.Hour).Unix(), ID: 500}
	keyQ, keyArgs := pageSQL(f.inbox, PageRequest{Limit: 50, After: &cur})
	offQ, offArgs := pageSQL(f.inbox, PageRequest{Limit: 50, Offset: 5000})
	cases := []struct {
		name string
		q    string
		args []any
		want []string
		deny []string
	}{
		{"page keyset", keyQ, keyArgs, []string{"USING INDEX messages_folder_date (folder_id=? AND sort_date<?)"}, []string{"SCAN", "TEMP B-TREE"}},
		{"page offset", offQ, offArgs, []string{"USING INDEX messages_folder_date (folder_id=?)"}, []string{"SCAN", "TEMP B-TREE"}},
		{"thread", threadSQL, []any{ThreadID(5)}, []string{"USING INDEX messages_thread (thread_id=?)"}, []string{"SCAN", "TEMP B-TREE"}},
		{"unread counts", unreadSQL, []any{f.acct}, []string{"USING COVERING INDEX messages_unread (folder_id=?)"}, []string{"SCAN m", "SCAN messages"}},
		{"need bodies", needBodiesSQL, []any{f.inbox, 50}, []string{"USING INDEX messages_nobody (folder_id=?)"}, []string{"SCAN", "TEMP B-TREE"}},
		{"need bodies after", needBodiesAfterSQL, []any{f.inbox, 50, 1 << 30, 5000}, []string{"USING INDEX messages_nobody (folder_id=? AND sort_date<?)"}, []string{"SCAN", "TEMP B-TREE"}},
		{"lookup uid", `SELECT id FROM messages WHERE folder_id = ? AND uid = ?`, []any{f.inbox, 7}, []string{"USING COVERING INDEX sqlite_autoindex_messages_1 (folder_id=? AND uid=?)"}, []string{"SCAN"}},
		{"thread links", `SELECT thread_id FROM thread_links WHERE account_id = ? AND msgid = ?`, []any{1, "x"}, []string{"USING PRIMARY KEY (account_id=? AND msgid=?)"}, []string{"SCAN"}},
		{"relink by msgid", `SELECT id FROM messages WHERE account_id = ? AND message_id = ? AND folder_id = ? AND uid <= 0`, []any{1, "x", 1}, []string{"USING INDEX"}, []string{"SCAN"}},
	}
	for _, c := range cases {
		p := plan(t, f.s, c.q, c.args...)
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
	// And the queries answer correctly at this size.
	ctx := context.Background()
	p, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 50, Offset: scaleRows / 4})
	must(t, err)
	if len(p) != 50 || p[0].UID != UID(scaleRows-scaleRows/4) {
		t.Errorf("offset page starts at uid %d", p[0].UID)
	}
	uc, err := f.s.UnreadCounts(ctx, f.acct)
	must(t, err)
	if uc[f.inbox] != (scaleRows+2)/3 { // i%3 == 0 for i in [0, scaleRows)
		t.Errorf("unread = %d", uc[f.inbox])
	}
	q, _ := ParseQuery("编号345")
	res, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q})
	must(t, err)
	want := 0 // i = 345, 3450…3459, …: decimal i starting with "345"
	for i := range scaleRows {
		if strings.HasPrefix(fmt.Sprint(i), "345") {
			want++
		}
	}
	if len(res) != want || !slices.ContainsFunc(res, func(m Message) bool { return m.UID == 346 }) {
		t.Errorf("search 编号345 = %d results, want %d", len(res), want)
	}
}

func analyze(s *Store) error {
	_, err := s.w.ExecContext(context.Background(), "ANALYZE")
	return err
}
