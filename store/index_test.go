package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeferredIndex: bodies stored raw are readable at once and wait for
// the index; PutTexts indexes them; a text read from a body that has since
// changed is not written; a relinked copy of a waiting body waits too.
func TestDeferredIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	var batch []PreparedBody
	var enc Encoder
	for i := range 3 {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		p, err := enc.Prepare(id, Body{Raw: bytes.Repeat([]byte{'a' + byte(i)}, 4000), Text: "ignored"})
		must(t, err)
		batch = append(batch, p)
	}
	must(t, f.s.PutRawBodies(ctx, batch))
	raw, err := f.s.Raw(ctx, batch[1].ID)
	if err != nil || !bytes.Equal(raw, bytes.Repeat([]byte{'b'}, 4000)) {
		t.Fatalf("raw before indexing: %d bytes, %v", len(raw), err)
	}
	acct := f.acct
	if n, err := f.s.IndexBacklog(ctx, acct); err != nil || n != 3 {
		t.Fatalf("backlog = %d, %v", n, err)
	}
	todo, err := f.s.Unindexed(ctx, acct, 0, 2)
	must(t, err)
	if len(todo) != 2 || todo[0].ID != batch[0].ID || todo[0].Size != 4000 || todo[0].Hash != batch[0].sum {
		t.Fatalf("unindexed = %+v", todo)
	}
	rest, err := f.s.Unindexed(ctx, acct, todo[1].ID, 10)
	must(t, err)
	if len(rest) != 1 || rest[0].ID != batch[2].ID {
		t.Fatalf("unindexed after = %+v", rest)
	}
	yes := true
	stale := BodyText{ID: batch[2].ID, Hash: batch[0].sum, Text: "陈旧文本"}
	must(t, f.s.PutTexts(ctx, []BodyText{
		{ID: todo[0].ID, Hash: todo[0].Hash, Text: "延迟索引 alpha", Preview: "alpha…", HasAttachment: &yes},
		{ID: todo[1].ID, Hash: todo[1].Hash, Text: "延迟索引 beta"},
		stale,
	}))
	find := func(s string) int {
		q, _ := ParseQuery(s)
		res, err := f.s.Search(ctx, SearchRequest{Query: q})
		must(t, err)
		return len(res)
	}
	if find("延迟索引") != 2 || find("陈旧文本") != 0 {
		t.Errorf("search: %d indexed, %d stale", find("延迟索引"), find("陈旧文本"))
	}
	if n, _ := f.s.IndexBacklog(ctx, acct); n != 1 {
		t.Errorf("backlog after = %d, want 1", n)
	}
	m, err := f.s.Message(ctx, batch[0].ID)
	must(t, err)
	if m.Preview != "alpha…" || !m.HasAttachment || !m.BodyFetched {
		t.Errorf("message after index: %+v", m)
	}
	// The same mail listed in another folder relinks the waiting body and waits too.
	src, _ := f.s.Message(ctx, batch[2].ID)
	must(t, f.s.PutHeaders(ctx, f.archive, []Message{{UID: 1, MsgID: src.MsgID, Size: src.Size, Subject: "copy"}}))
	if n, _ := f.s.IndexBacklog(ctx, acct); n != 2 {
		t.Errorf("backlog after relink = %d, want 2", n)
	}
	_, err = f.s.w.ExecContext(ctx, `INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)`)
	must(t, err)
}

// TestMigrateV3Blobs: a v3 store's blobs (written as v3 wrote them) survive
// the v4 rebuild byte-exact, with every reference intact.
func TestMigrateV3Blobs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	old, err := open(ctx, path, 3)
	must(t, err)
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := old.w.ExecContext(ctx, q, args...)
		must(t, err)
	}
	exec(`INSERT INTO accounts(id, name) VALUES (1, 'work')`)
	exec(`INSERT INTO folders(id, account_id, name, raw_name) VALUES (1, 1, 'INBOX', 'INBOX')`)
	raws := [][]byte{bytes.Repeat([]byte("正文 body "), 500), bytes.Repeat([]byte{0, 0xff, 'x'}, 3000), []byte("tiny")}
	for i, raw := range raws {
		sum := sha256.Sum256(raw)
		codec, data, err := encodeBlob(raw)
		must(t, err)
		exec(`INSERT INTO blobs(hash, size, codec, data) VALUES (?,?,?,?)`, sum[:], len(raw), codec, data)
		exec(`INSERT INTO messages(id, account_id, folder_id, uid, message_id, size, blob_hash) VALUES (?,1,1,?,?,?,?)`,
			i+1, i+1, fmt.Sprintf("m%d@x", i), len(raw), sum[:])
		exec(`INSERT INTO texts(id, subject, body) VALUES (?, 's', '迁移正文')`, i+1)
	}
	sum := sha256.Sum256(raws[2])
	exec(`INSERT INTO detached(account_id, message_id, size, blob_hash, detached_at) VALUES (1, 'gone@x', 4, ?, 0)`, sum[:])
	must(t, old.Close())

	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	if n := count(t, s, "SELECT count(*) FROM blobs"); n != 3 {
		t.Errorf("%d blobs after upgrade, want 3", n)
	}
	if n := count(t, s, "SELECT count(*) FROM pragma_foreign_key_check"); n != 0 {
		t.Errorf("%d foreign key violations after upgrade", n)
	}
	for i, raw := range raws {
		got, err := s.Raw(ctx, MessageID(i+1))
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("message %d: %d bytes, %v", i+1, len(got), err)
		}
	}
	if n, _ := s.IndexBacklog(ctx, 1); n != 0 {
		t.Errorf("backlog after upgrade = %d", n)
	}
	// Foreign keys still bind to the rebuilt table.
	if _, err := s.w.ExecContext(ctx, `UPDATE messages SET blob_hash = x'00' WHERE id = 1`); err == nil {
		t.Error("a dangling blob_hash was accepted after the upgrade")
	}
}

// TestRawBodiesForAGoneMessage: a batch naming a message that no longer
// exists fails with ErrNotFound and links nothing.
func TestRawBodiesForAGoneMessage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	var enc Encoder
	var batch []PreparedBody
	for i := range 3 {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		p, err := enc.Prepare(id, Body{Raw: fmt.Appendf(nil, "body %d", i)})
		must(t, err)
		batch = append(batch, p)
	}
	gone := batch[1].ID
	_, err := f.s.w.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, gone)
	must(t, err)
	err = f.s.PutRawBodies(ctx, batch)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), fmt.Sprint(gone)) {
		t.Fatalf("PutRawBodies = %v, want ErrNotFound for message %d", err, gone)
	}
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE blob_hash IS NOT NULL`); n != 0 {
		t.Errorf("%d messages linked by a failed batch", n)
	}
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{batch[0], batch[2]}))
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE blob_hash IS NOT NULL`); n != 2 {
		t.Errorf("%d messages linked, want 2", n)
	}
}
