package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestOpenSetsPragmasAndVersion(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	var mode string
	must(t, s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	for _, db := range []struct {
		name string
		q    func(string) (int, error)
	}{
		{"writer", func(p string) (n int, err error) { err = s.w.QueryRowContext(ctx, "PRAGMA "+p).Scan(&n); return }},
		{"reader", func(p string) (n int, err error) { err = s.r.QueryRowContext(ctx, "PRAGMA "+p).Scan(&n); return }},
	} {
		fk, err := db.q("foreign_keys")
		must(t, err)
		bt, err := db.q("busy_timeout")
		must(t, err)
		if fk != 1 || bt != int(busyTimeout.Milliseconds()) {
			t.Errorf("%s: foreign_keys=%d busy_timeout=%d", db.name, fk, bt)
		}
	}
	if v := count(t, s, "PRAGMA user_version"); v != len(migrations) {
		t.Errorf("user_version = %d, want %d", v, len(migrations))
	}
	// The read pool refuses writes.
	if _, err := s.r.ExecContext(ctx, "INSERT INTO accounts(name) VALUES ('x')"); err == nil {
		t.Error("read pool accepted a write")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s, path := openTest(t)
	_, err := s.w.ExecContext(context.Background(), "PRAGMA user_version = 99")
	must(t, err)
	s.Close()
	_, err = Open(context.Background(), path)
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Have != 99 {
		t.Fatalf("err = %v, want *VersionError{Have: 99}", err)
	}
}

func TestFolderTreeRenameDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Child before parent: the parent adopts it when it arrives.
	child, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, Name: "项目/2024", RawName: "Projects/2024", Delim: "/"})
	must(t, err)
	parent, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, Name: "项目", RawName: "Projects", Delim: "/", Subscribed: true})
	must(t, err)
	grand, err := f.s.UpsertFolder(ctx, Folder{Account: f.acct, RawName: "Projects/2024/Q1", Delim: "/"})
	must(t, err)
	c, err := f.s.Folder(ctx, child)
	must(t, err)
	g, err := f.s.Folder(ctx, grand)
	must(t, err)
	if c.Parent != parent || g.Parent != child {
		t.Fatalf("parents: child→%d (want %d), grand→%d (want %d)", c.Parent, parent, g.Parent, child)
	}
	must(t, f.s.SetFolderState(ctx, child, FolderState{UIDValidity: 7, UIDNext: 100, HighestModSeq: 1 << 40, Total: 3, Unseen: 1, LastSync: day0}))
	must(t, f.s.RenameFolder(ctx, parent, "工作", "Work"))
	fs, err := f.s.Folders(ctx, f.acct)
	must(t, err)
	byID := map[FolderID]Folder{}
	for _, x := range fs {
		byID[x.ID] = x
	}
	if got := byID[child]; got.RawName != "Work/2024" || got.Name != "工作/2024" || got.Parent != parent ||
		got.UIDValidity != 7 || got.HighestModSeq != 1<<40 || !got.LastSync.Equal(day0) {
		t.Errorf("renamed child = %+v", got)
	}
	if got := byID[grand]; got.RawName != "Work/2024/Q1" {
		t.Errorf("renamed grandchild = %+v", got)
	}
	if !byID[parent].Subscribed || byID[f.inbox].Role != "inbox" {
		t.Errorf("lost folder fields: %+v", fs)
	}
	must(t, f.s.PutHeaders(ctx, child, genMessages(3, 1)))
	must(t, f.s.DeleteFolder(ctx, child))
	if _, err := f.s.Folder(ctx, child); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted folder: err = %v", err)
	}
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != 0 {
		t.Errorf("%d messages left after folder delete", n)
	}
	if n := count(t, f.s, "SELECT count(*) FROM fts WHERE fts MATCH 'Report'"); n != 0 {
		t.Errorf("fts still finds %d deleted messages", n)
	}
	if err := f.s.DeleteFolder(ctx, child); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestPutHeadersIdempotentAndPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	msgs := genMessages(120, 1)
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	msgs[5].Flags = FlagSeen | FlagFlagged
	msgs[5].Keywords = []string{"$Label1", "$Label1", "工作"}
	msgs[5].Subject = "ignored: headers are immutable"
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != 120 {
		t.Fatalf("%d rows after a repeated PutHeaders, want 120", n)
	}
	id, err := f.s.Lookup(ctx, f.inbox, 6)
	must(t, err)
	m, err := f.s.Message(ctx, id)
	must(t, err)
	if m.Flags != FlagSeen|FlagFlagged || !slices.Equal(m.Keywords, []string{"$Label1", "工作"}) ||
		m.Subject != "Report number 5 about topic 5" || m.MsgID != "m6@example.com" ||
		!m.Date.Equal(msgs[5].Date) || m.To[0].Addr != "me@example.com" || m.Account != f.acct {
		t.Errorf("message = %+v", m)
	}

	// Keyset pages walk the whole folder newest first, without overlap.
	var all []Message
	req := PageRequest{Limit: 50}
	for {
		p, err := f.s.Page(ctx, f.inbox, req)
		must(t, err)
		if len(p) == 0 {
			break
		}
		all = append(all, p...)
		c := p[len(p)-1].Cursor()
		req.After = &c
	}
	if len(all) != 120 || all[0].UID != 120 || all[119].UID != 1 {
		t.Fatalf("keyset walk: %d rows, first uid %d", len(all), all[0].UID)
	}
	off, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 10, Offset: 100})
	must(t, err)
	if !slices.Equal(ids(off), ids(all[100:110])) {
		t.Errorf("offset page differs from keyset walk")
	}
	if _, err := f.s.Message(ctx, 99999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing message: %v", err)
	}
	if err := f.s.PutHeaders(ctx, f.inbox, []Message{{UID: 0}}); err == nil {
		t.Error("PutHeaders accepted UID 0")
	}
}

func TestThreadsJoinAndMerge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	put := func(folder FolderID, m Message) Message {
		t.Helper()
		must(t, f.s.PutHeaders(ctx, folder, []Message{m}))
		id, err := f.s.Lookup(ctx, folder, m.UID)
		must(t, err)
		got, err := f.s.Message(ctx, id)
		must(t, err)
		return got
	}
	// The grandchild arrives first, then an unrelated-looking child that
	// references only the root, then the root: all one thread.
	c2 := put(f.inbox, Message{UID: 1, MsgID: "<c2@x>", InReplyTo: "<c1@x>", References: []string{"<root@x>", "<c1@x>"}, Date: day0.Add(2 * time.Hour)})
	other := put(f.inbox, Message{UID: 2, MsgID: "<o@x>", InReplyTo: "<root@x>", Date: day0.Add(time.Hour)})
	lone := put(f.inbox, Message{UID: 3, MsgID: "<lone@x>", Date: day0})
	root := put(f.archive, Message{UID: 1, MsgID: "<root@x>", Date: day0.Add(-time.Hour)})
	c1 := put(f.inbox, Message{UID: 4, MsgID: "<c1@x>", InReplyTo: "root@x", Date: day0.Add(90 * time.Minute)})
	if c2.Thread != other.Thread {
		// Both reference root@x, so they share a thread from the start.
		t.Fatalf("c2 thread %d, other %d", c2.Thread, other.Thread)
	}
	th, err := f.s.Thread(ctx, root.Thread)
	must(t, err)
	want := []MessageID{root.ID, other.ID, c1.ID, c2.ID}
	if !slices.Equal(ids(th), want) {
		t.Errorf("thread = %v, want %v (oldest first)", ids(th), want)
	}
	if lone.Thread == root.Thread || lone.Thread == 0 {
		t.Errorf("lone thread %d", lone.Thread)
	}
	// Two threads bridged by a later message merge into one.
	a := put(f.inbox, Message{UID: 10, MsgID: "<a@x>", Date: day0})
	b := put(f.inbox, Message{UID: 11, MsgID: "<b@x>", Date: day0})
	put(f.inbox, Message{UID: 12, MsgID: "<ab@x>", References: []string{"<a@x>", "<b@x>"}, Date: day0})
	ta, err := f.s.Thread(ctx, a.Thread)
	must(t, err)
	if len(ta) != 3 || !slices.Contains(ids(ta), b.ID) {
		t.Errorf("merged thread = %v", ids(ta))
	}
}

func TestRawRoundTripByteExact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(4, 1)))
	big := bytes.Repeat([]byte("Subject: 邮箱搬家\r\n\r\nline of text that compresses well\r\n"), 400)
	cases := [][]byte{
		{},
		[]byte("From: a\r\n\r\n\x00\x01\xff\xfe invalid \xc3\x28 utf-8 \x00 and NUL\r\n.\r\n"),
		append(append([]byte{}, big...), 0, 0xff, '\r'),
		randomBytes(64 << 10),
	}
	for i, raw := range cases {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		must(t, f.s.PutBody(ctx, id, Body{Raw: raw, Text: "text"}))
		got, err := f.s.Raw(ctx, id)
		must(t, err)
		if !bytes.Equal(got, raw) || got == nil {
			t.Errorf("case %d: round trip differs (%d vs %d bytes)", i, len(got), len(raw))
		}
	}
	var codec Codec
	must(t, f.s.r.QueryRowContext(ctx, "SELECT codec FROM blobs WHERE size = ?", len(cases[2])).Scan(&codec))
	if codec != CodecS2 {
		t.Errorf("compressible blob stored with codec %d", codec)
	}
	must(t, f.s.r.QueryRowContext(ctx, "SELECT codec FROM blobs WHERE size = ?", len(cases[3])).Scan(&codec))
	if codec != CodecIdentity {
		t.Errorf("random blob stored with codec %d", codec)
	}
	// A blob written by an older Magpie with deflate still reads back.
	var zb bytes.Buffer
	zw, _ := flate.NewWriter(&zb, flate.BestSpeed)
	_, _ = zw.Write(big)
	must(t, zw.Close())
	oldID, err := f.s.Lookup(ctx, f.inbox, 4)
	must(t, err)
	sum := sha256.Sum256(big)
	_, err = f.s.w.ExecContext(ctx, "INSERT INTO blobs(hash, size, codec, data) VALUES (?,?,?,?)", sum[:], len(big), CodecDeflate, zb.Bytes())
	must(t, err)
	_, err = f.s.w.ExecContext(ctx, "UPDATE messages SET blob_hash = ? WHERE id = ?", sum[:], oldID)
	must(t, err)
	if got, err := f.s.Raw(ctx, oldID); err != nil || !bytes.Equal(got, big) {
		t.Errorf("deflate blob: %d bytes, err %v", len(got), err)
	}
	must(t, f.s.PutBody(ctx, oldID, Body{Raw: cases[3], Text: "text"})) // as it was, for what follows
	// Corruption is detected, not returned as mail.
	_, err = f.s.w.ExecContext(ctx, "UPDATE blobs SET data = x'00' WHERE size = ?", len(cases[1]))
	must(t, err)
	id, _ := f.s.Lookup(ctx, f.inbox, 2)
	if _, err := f.s.Raw(ctx, id); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt blob: err = %v", err)
	}
	id, _ = f.s.Lookup(ctx, f.inbox, 4)
	if _, err := f.s.Raw(ctx, id+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: err = %v", err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

func TestDedupAndGC(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := genMessages(1, 1)
	must(t, f.s.PutHeaders(ctx, f.inbox, m))
	must(t, f.s.PutHeaders(ctx, f.archive, []Message{{UID: 50, MsgID: "other@x", Size: 5}}))
	raw := []byte("From: a@b\r\nSubject: same\r\n\r\nsame bytes in two folders\r\n")
	a, _ := f.s.Lookup(ctx, f.inbox, 1)
	b, _ := f.s.Lookup(ctx, f.archive, 50)
	must(t, f.s.PutBody(ctx, a, Body{Raw: raw, Text: "same"}))
	must(t, f.s.PutBody(ctx, b, Body{Raw: raw, Text: "same"}))
	if n := count(t, f.s, "SELECT count(*) FROM blobs"); n != 1 {
		t.Fatalf("%d blobs for identical raw in two folders, want 1", n)
	}
	ha, _, _ := f.s.BodyHash(ctx, a)
	hb, ok, _ := f.s.BodyHash(ctx, b)
	if ha != hb || !ok {
		t.Errorf("hashes differ")
	}
	// Deleting one copy keeps the blob; deleting both and GC removes it.
	must(t, f.s.DeleteUIDs(ctx, f.archive, []UID{50}))
	st, err := f.s.GC(ctx, time.Now().Add(time.Hour))
	must(t, err)
	if st.Blobs != 0 {
		t.Errorf("GC removed a blob still in use: %+v", st)
	}
	must(t, f.s.DeleteUIDs(ctx, f.inbox, []UID{1}))
	st, err = f.s.GC(ctx, time.Now().Add(-time.Hour))
	must(t, err)
	if st.Blobs != 0 || st.Detached != 0 {
		t.Errorf("GC removed a recently stashed body: %+v", st)
	}
	st, err = f.s.GC(ctx, time.Now().Add(time.Hour))
	must(t, err)
	if st.Blobs != 1 || st.Detached != 1 {
		t.Errorf("GC = %+v, want one stash and one blob", st)
	}
}

func TestRelinkBodyWithoutDownload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := genMessages(2, 1)
	must(t, f.s.PutHeaders(ctx, f.inbox, m))
	id, _ := f.s.Lookup(ctx, f.inbox, 1)
	raw := []byte("Message-ID: <m1@example.com>\r\n\r\n邮箱搬家 body\r\n")
	must(t, f.s.PutBody(ctx, id, Body{Raw: raw, Text: "正文 邮箱搬家 body"}))

	// The same mail listed in another folder (Gmail labels) reuses the body.
	m[0].UID = 77
	must(t, f.s.PutHeaders(ctx, f.archive, m[:1]))
	id2, _ := f.s.Lookup(ctx, f.archive, 77)
	if got, err := f.s.Raw(ctx, id2); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("second folder raw: %v", err)
	}
	// UIDVALIDITY change: rows go, body comes back on re-listing.
	must(t, f.s.ResetFolder(ctx, f.inbox, 99))
	must(t, f.s.DeleteUIDs(ctx, f.archive, []UID{77}))
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != 0 {
		t.Fatalf("%d rows after reset", n)
	}
	fo, _ := f.s.Folder(ctx, f.inbox)
	if fo.UIDValidity != 99 {
		t.Errorf("uidvalidity = %d", fo.UIDValidity)
	}
	m[0].UID = 1001
	must(t, f.s.PutHeaders(ctx, f.inbox, m))
	id3, _ := f.s.Lookup(ctx, f.inbox, 1001)
	if got, err := f.s.Raw(ctx, id3); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("relinked raw: %v", err)
	}
	res, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: Query{Terms: []Term{{Text: "正文"}}}})
	must(t, err)
	if len(res) != 1 || res[0].ID != id3 {
		t.Errorf("relinked body text not searchable: %v", ids(res))
	}
	need, err := f.s.NeedBodies(ctx, f.inbox, 10)
	must(t, err)
	if len(need) != 1 || need[0].UID != 2 {
		t.Errorf("need bodies = %+v, want uid 2 only", need)
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	path := t.TempDir() + "/race.db"
	ctx := context.Background()
	errs := make(chan error, 4)
	stores := make(chan *Store, 4)
	for range 4 {
		go func() {
			s, err := Open(ctx, path)
			errs <- err
			stores <- s
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if s := <-stores; s != nil {
			s.Close()
		}
	}
}

func TestPutHeadersIsAtomic(t *testing.T) {
	f := newFixture(t)
	msgs := genMessages(10, 1)
	msgs[7].UID = -3 // invalid for PutHeaders: the whole batch must roll back
	if err := f.s.PutHeaders(context.Background(), f.inbox, msgs); err == nil {
		t.Fatal("bad batch accepted")
	}
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != 0 {
		t.Errorf("%d rows from a failed batch", n)
	}
	if n := count(t, f.s, "SELECT count(*) FROM thread_links"); n != 0 {
		t.Errorf("%d thread links from a failed batch", n)
	}
}

func TestPutBodiesBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(5, 1)))
	var batch []PreparedBody
	prep := func(id MessageID, b Body) PreparedBody {
		p, err := PrepareBody(id, b)
		must(t, err)
		return p
	}
	for i := range 5 {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		raw := []byte("shared raw \x00\xff")
		if i == 4 {
			raw = []byte("other")
		}
		batch = append(batch, prep(id, Body{Raw: raw, Text: "批量正文 first"}))
	}
	batch = append(batch, prep(batch[0].ID, Body{Raw: []byte("shared raw \x00\xff"), Text: "批量正文 last"}))
	must(t, f.s.PutBodies(ctx, batch))
	if n := count(t, f.s, "SELECT count(*) FROM blobs"); n != 2 {
		t.Errorf("%d blobs, want 2", n)
	}
	find := func(s string) int {
		q, _ := ParseQuery(s)
		res, err := f.s.Search(ctx, SearchRequest{Query: q})
		must(t, err)
		return len(res)
	}
	if find("批量正文") != 5 || find("last") != 1 || find("first") != 4 {
		t.Errorf("index after PutBodies: all %d, last %d, first %d", find("批量正文"), find("last"), find("first"))
	}
	raw, err := f.s.Raw(ctx, batch[2].ID)
	if err != nil || !bytes.Equal(raw, []byte("shared raw \x00\xff")) {
		t.Errorf("raw: %q %v", raw, err)
	}
	// An unknown ID fails the whole batch.
	err = f.s.PutBodies(ctx, []PreparedBody{prep(batch[4].ID, Body{Raw: []byte("new"), Text: "回滚"}), prep(9999, Body{Raw: []byte("x")})})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	if find("回滚") != 0 || count(t, f.s, "SELECT count(*) FROM blobs") != 2 {
		t.Error("failed batch left changes")
	}
	_, err = f.s.w.ExecContext(ctx, `INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)`)
	must(t, err)
}
