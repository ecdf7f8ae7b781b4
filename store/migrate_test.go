package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestMigrateFromV1 builds a store at schema v1 with rows written the way v1
// wrote them, then opens it with this build and checks the upgrade in place.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 1)
	must(t, err)
	for _, q := range []string{
		`INSERT INTO accounts(id, name) VALUES (1, 'work')`,
		`INSERT INTO folders(id, account_id, name, raw_name, delim, uidvalidity) VALUES (1, 1, 'INBOX', 'INBOX', '/', 42)`,
		`INSERT INTO messages(id, account_id, folder_id, uid, message_id, subject, from_name, from_addr, to_list, sort_date, flags)
			VALUES (1, 1, 1, 10, 'root@x', '邮箱搬家通知', '管理员', 'admin@corp.cn', '[{"a":"me@corp.cn"}]', 100, 0)`,
		`INSERT INTO messages(id, account_id, folder_id, uid, message_id, in_reply_to, refs, subject, sort_date, flags)
			VALUES (2, 1, 1, 11, 'reply@x', 'root@x', 'root@x', 'Re: 邮箱搬家通知', 200, 1)`,
		`INSERT INTO messages(id, account_id, folder_id, uid, message_id, subject, sort_date)
			VALUES (3, 1, 1, 12, 'other@x', 'unrelated', 300)`,
	} {
		_, err := old.w.ExecContext(ctx, q)
		must(t, err)
	}
	if v := count(t, old, "PRAGMA user_version"); v != 1 {
		t.Fatalf("fixture at v%d", v)
	}
	must(t, old.Close())

	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	if v := count(t, s, "PRAGMA user_version"); v != len(migrations) {
		t.Fatalf("upgraded to v%d, want v%d", v, len(migrations))
	}
	root, err := s.Message(ctx, 1)
	must(t, err)
	th, err := s.Thread(ctx, root.Thread)
	must(t, err)
	if !slices.Equal(ids(th), []MessageID{1, 2}) {
		t.Errorf("backfilled thread = %v", ids(th))
	}
	q, _ := ParseQuery("from:管理员 邮箱搬家")
	res, err := s.Search(ctx, SearchRequest{Query: q})
	must(t, err)
	if !slices.Equal(ids(res), []MessageID{1}) {
		t.Errorf("search after upgrade = %v", ids(res))
	}
	q, _ = ParseQuery("to:me@corp")
	if res, _ := s.Search(ctx, SearchRequest{Query: q}); len(res) != 1 {
		t.Errorf("to: after upgrade found %d", len(res))
	}
	// New rows join backfilled threads; v3 features work.
	must(t, s.PutHeaders(ctx, 1, []Message{{UID: 13, MsgID: "late@x", References: []string{"reply@x"}, Subject: "late"}}))
	id, _ := s.Lookup(ctx, 1, 13)
	late, _ := s.Message(ctx, id)
	if late.Thread != root.Thread {
		t.Errorf("late reply thread %d, want %d", late.Thread, root.Thread)
	}
	if _, err := s.EnqueueOp(ctx, Op{Kind: OpFlagsAdd, Folder: 1, UIDs: []UID{12}, Flags: FlagSeen}); err != nil {
		t.Fatal(err)
	}
	f, _ := s.Folder(ctx, 1)
	if f.UIDValidity != 42 {
		t.Errorf("folder state lost: %+v", f)
	}
}
