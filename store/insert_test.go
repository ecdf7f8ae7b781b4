package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestPrefetchPlans proves PutHeaders' batch lookups walk the batch and
// look each entry up by index, whatever the table holds: a plan scanning
// messages per batch made a second pass over a folder take seconds.
func TestPrefetchPlans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(50, 1)))
	must(t, analyze(f.s))
	for name, q := range map[string]string{"existing": prefetchExisting, "live": prefetchLive, "threads": prefetchThreads} {
		p := plan(t, f.s, q, 1, `[]`)
		lines := strings.Split(p, "\n")
		if !strings.HasPrefix(lines[0], "SCAN j VIRTUAL TABLE") {
			t.Errorf("%s: the batch is not the outer loop:\n%s", name, p)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "SEARCH") || !strings.Contains(l, "INDEX") && !strings.Contains(l, "PRIMARY KEY") {
				t.Errorf("%s: scans a table:\n%s", name, p)
			}
		}
	}
}

// TestBatchStagesRows: PutHeaders writes a batch's new rows in multi-row
// statements after the per-message work, and the result is what one
// INSERT per message gave: a thread merge in the batch reaches the rows
// still staged, and a UID seen twice in the batch updates the row the
// first one made (a sync never sends that, but the contract allows it).
func TestBatchStagesRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Enough rows for every statement size flushRows has.
	const n = insertChunk + insertChunkSmall + 3
	msgs := make([]Message, 0, n+1)
	for i := range n {
		m := Message{UID: UID(i + 1), MsgID: fmt.Sprintf("<m%d@x>", i), Subject: fmt.Sprint("s", i), Date: day0}
		switch i {
		case 1:
			m.MsgID = "<a@x>"
		case 2:
			m.MsgID = "<b@x>"
		case n - 1: // bridges a and b, staged in the same batch
			m.References = []string{"<a@x>", "<b@x>"}
		}
		msgs = append(msgs, m)
		if i == n/2 {
			msgs = append(msgs, Message{UID: 5, MsgID: "<m4@x>", Flags: FlagFlagged, Date: day0})
		}
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	if got := count(t, f.s, `SELECT count(*) FROM messages WHERE folder_id = ?`, f.inbox); got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	thread := func(uid UID) (tid int64) {
		must(t, f.s.r.QueryRowContext(ctx, `SELECT thread_id FROM messages WHERE folder_id = ? AND uid = ?`, f.inbox, uid).Scan(&tid))
		return tid
	}
	if a, b, ab := thread(2), thread(3), thread(n); a != b || b != ab {
		t.Errorf("bridged threads %d %d %d, want one", a, b, ab)
	}
	if thread(1) == thread(2) || thread(4) == thread(2) {
		t.Errorf("unrelated rows joined the merged thread")
	}
	var flags Flags
	must(t, f.s.r.QueryRowContext(ctx, `SELECT flags FROM messages WHERE folder_id = ? AND uid = 5`, f.inbox).Scan(&flags))
	if flags != FlagFlagged {
		t.Errorf("UID 5 flags %v, want the second put's", flags)
	}
	if got := count(t, f.s, `SELECT count(*) FROM thread_links WHERE msgid IN ('a@x', 'b@x')
		AND thread_id = (SELECT thread_id FROM messages WHERE folder_id = ? AND uid = 2)`, f.inbox); got != 2 {
		t.Errorf("%d links on the merged thread, want 2", got)
	}
}

// TestThreadLinksKeepOddMsgIDs: thread links travel to SQLite as JSON;
// a Message-ID with quotes, backslashes and CJK is stored as it is, so a
// later reply finds its thread.
func TestThreadLinksKeepOddMsgIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	odd := `<"引号"\x\\y@例子.cn>`
	must(t, f.s.PutHeaders(ctx, f.inbox, []Message{{UID: 1, MsgID: odd, Date: day0}, {UID: 2, MsgID: "<other@x>", Date: day0}}))
	must(t, f.s.PutHeaders(ctx, f.inbox, []Message{{UID: 3, MsgID: "<reply@x>", InReplyTo: odd, Date: day0}}))
	var a, b, c int64
	must(t, f.s.r.QueryRowContext(ctx, `SELECT
		(SELECT thread_id FROM messages WHERE uid = 1), (SELECT thread_id FROM messages WHERE uid = 2),
		(SELECT thread_id FROM messages WHERE uid = 3)`).Scan(&a, &b, &c))
	if a != c || a == b {
		t.Errorf("threads %d %d %d: the reply did not join its parent alone", a, b, c)
	}
	if n := count(t, f.s, `SELECT count(*) FROM thread_links WHERE msgid = ? AND thread_id = ?`, normMsgID(odd), a); n != 1 {
		t.Errorf("link of %q: %d rows", odd, n)
	}
}
