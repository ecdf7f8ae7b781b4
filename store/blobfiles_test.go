package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// blobFiles lists the blob files of s (not the temporary ones).
func blobFiles(t testing.TB, s *Store) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(s.blobs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "tmp" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestBlobsAreFiles: raw bytes live in one file per distinct content
// beside the database, not in it; WriteBlob (the sync's parallel path) and
// the writer's own path give the same store; bytes read back exactly; two
// messages with the same bytes share one file.
func TestBlobsAreFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	must(t, f.s.PutHeaders(ctx, f.archive, genMessages(1, 1)))
	id := func(folder FolderID, uid UID) MessageID {
		id, err := f.s.Lookup(ctx, folder, uid)
		must(t, err)
		return id
	}
	big := bytes.Repeat([]byte("Subject: 压缩\r\n\r\nthe same line again and again\r\n"), 200)
	small := []byte("Subject: s\r\n\r\nx\r\n")
	p1, err := PrepareBody(id(f.inbox, 1), Body{Raw: big})
	must(t, err)
	must(t, f.s.WriteBlob(&p1)) // written ahead, as the sync does
	p2, err := PrepareBody(id(f.inbox, 2), Body{Raw: small})
	must(t, err) // not written ahead: the writer writes it
	p3, err := PrepareBody(id(f.archive, 1), Body{Raw: big})
	must(t, err)
	must(t, f.s.WriteBlob(&p3)) // the same content: the file is there
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p1, p2, p3}))
	must(t, f.s.PutBody(ctx, id(f.inbox, 3), Body{Raw: small}))

	if n := len(blobFiles(t, f.s)); n != 2 {
		t.Fatalf("%d blob files, want 2 (one per content)", n)
	}
	must(t, f.s.CheckIntegrity(ctx))
	if n := count(t, f.s, `SELECT count(*) FROM blobs WHERE length(data) > 0`); n != 0 {
		t.Errorf("%d blobs still hold bytes in the database", n)
	}
	for _, c := range []struct {
		id   MessageID
		want []byte
	}{{id(f.inbox, 1), big}, {id(f.inbox, 2), small}, {id(f.archive, 1), big}, {id(f.inbox, 3), small}} {
		raw, err := f.s.Raw(ctx, c.id)
		must(t, err)
		if !bytes.Equal(raw, c.want) {
			t.Errorf("message %d: %d bytes back, want %d", c.id, len(raw), len(c.want))
		}
	}
	var codec Codec
	must(t, f.s.r.QueryRowContext(ctx, `SELECT codec FROM blobs WHERE size = ?`, len(big)).Scan(&codec))
	if st, err := os.Stat(blobPath(f.s.blobs, sha256.Sum256(big))); err != nil || codec != CodecS2 || st.Size() >= int64(len(big)) {
		t.Errorf("compressible blob: codec %d, file %v (%v)", codec, st, err)
	}

	// A damaged file is reported, never returned.
	path := blobPath(f.s.blobs, sha256.Sum256(small))
	must(t, os.WriteFile(path, []byte("Subject: s\r\n\r\ny\r\n"), 0o600))
	if _, err := f.s.Raw(ctx, id(f.inbox, 2)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("damaged file read: %v, want ErrCorrupt", err)
	}
	if err := f.s.CheckIntegrity(ctx); !errors.Is(err, ErrIntegrity) {
		t.Errorf("integrity check of a damaged file: %v, want ErrIntegrity", err)
	}
	must(t, os.Remove(path))
	if _, err := f.s.Raw(ctx, id(f.inbox, 2)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("missing file read: %v, want ErrCorrupt", err)
	}
	if err := f.s.CheckIntegrity(ctx); !errors.Is(err, ErrIntegrity) {
		t.Errorf("integrity check of a missing file: %v, want ErrIntegrity", err)
	}
}

// TestBlobFileRecreatedAfterGC: a body prepared and written ahead whose
// file a GC removed before the body was recorded (an unreferenced blob of
// the same content) is written again by the writer: a committed row always
// has its file.
func TestBlobFileRecreatedAfterGC(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(2, 1)))
	id1, _ := f.s.Lookup(ctx, f.inbox, 1)
	id2, _ := f.s.Lookup(ctx, f.inbox, 2)
	raw := bytes.Repeat([]byte("Subject: again\r\n\r\nbody body body\r\n"), 100)
	must(t, f.s.PutBody(ctx, id1, Body{Raw: raw}))
	// The sync prepares the same content for message 2 and finds the file.
	p, err := PrepareBody(id2, Body{Raw: raw})
	must(t, err)
	must(t, f.s.WriteBlob(&p))
	// Meanwhile message 1 goes and GC drops its blob and file.
	must(t, f.s.PutBody(ctx, id1, Body{Raw: []byte("Subject: other\r\n\r\n.\r\n")}))
	st, err := f.s.GC(ctx, time.Now())
	must(t, err)
	if st.Blobs != 1 {
		t.Fatalf("GC = %+v, want one blob", st)
	}
	if _, err := os.Stat(blobPath(f.s.blobs, sha256.Sum256(raw))); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("GC left the file of a deleted blob: %v", err)
	}
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p}))
	got, err := f.s.Raw(ctx, id2)
	must(t, err)
	if !bytes.Equal(got, raw) {
		t.Fatalf("%d bytes back, want %d", len(got), len(raw))
	}
}

// TestGCSweepsOrphanFiles: files no row names (a sync killed between a
// file and the commit of its row) and stale temporary files go once they
// are older than orphanAge; young ones (a sync in progress) stay.
func TestGCSweepsOrphanFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(1, 1)))
	id, _ := f.s.Lookup(ctx, f.inbox, 1)
	kept := []byte("Subject: kept\r\n\r\n.\r\n")
	must(t, f.s.PutBody(ctx, id, Body{Raw: kept}))
	// Orphans in every subdirectory, so that the sweep's one finds some.
	var orphans, young []string
	for i := range 256 {
		var h Hash
		h[0], h[1] = byte(i), 1
		must(t, writeBlobFile(f.s.blobs, h, []byte("orphan")))
		orphans = append(orphans, blobPath(f.s.blobs, h))
		h[1] = 2
		must(t, writeBlobFile(f.s.blobs, h, []byte("young")))
		young = append(young, blobPath(f.s.blobs, h))
	}
	tmp := filepath.Join(f.s.blobs, "tmp", "blob-stale")
	must(t, os.WriteFile(tmp, []byte("half"), 0o600))
	old := time.Now().Add(-2 * orphanAge)
	for _, p := range append(orphans, tmp, blobPath(f.s.blobs, sha256.Sum256(kept))) {
		must(t, os.Chtimes(p, old, old))
	}
	st, err := f.s.GC(ctx, time.Now())
	must(t, err)
	if st.Orphans < 2 { // the stale temporary file and one subdirectory's orphan
		t.Fatalf("GC = %+v, want the temporary file and an orphan", st)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file left: %v", err)
	}
	left := 0
	for _, p := range orphans {
		if _, err := os.Stat(p); err == nil {
			left++
		}
	}
	if left != 255 {
		t.Errorf("%d old orphans left, want 255 (one subdirectory swept)", left)
	}
	for _, p := range young {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("young file swept: %v", err)
		}
	}
	if raw, err := f.s.Raw(ctx, id); err != nil || !bytes.Equal(raw, kept) {
		t.Errorf("a referenced blob suffered: %q %v", raw, err)
	}
}

// TestMigrateBlobsToFiles: a v12 store whose bytes are in blobs.data is
// upgraded in place: every blob moves to its file, byte-exact, whatever
// its codec (deflate from before S2 included), and the rows keep working
// for GC.
func TestMigrateBlobsToFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 12)
	must(t, err)
	f := fixtureOn(t, old)
	must(t, old.PutHeaders(ctx, f.inbox, genMessages(40, 1)))
	bodies := map[MessageID][]byte{}
	for uid := UID(1); uid <= 40; uid++ {
		id, err := old.Lookup(ctx, f.inbox, uid)
		must(t, err)
		raw := []byte(strings.Repeat("Subject: 旧邮件\r\n\r\nline "+string(rune('a'+uid%26))+"\r\n", int(uid)*10))
		sum := sha256.Sum256(raw)
		codec, data, err := encodeBlob(raw)
		must(t, err)
		if uid == 7 { // written before S2
			codec, data = CodecDeflate, deflate(t, raw)
		}
		_, err = old.w.ExecContext(ctx, `INSERT INTO blobs(hash, size, codec, data) VALUES (?,?,?,?) ON CONFLICT(hash) DO NOTHING`,
			sum[:], len(raw), codec, data)
		must(t, err)
		_, err = old.w.ExecContext(ctx, `UPDATE messages SET blob_hash = ? WHERE id = ?`, sum[:], id)
		must(t, err)
		bodies[id] = raw
	}
	must(t, old.Close())
	if _, err := os.Stat(blobDirFor(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a v12 store has a blob directory: %v", err)
	}

	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	if n := count(t, s, `SELECT count(*) FROM blobs WHERE length(data) > 0`); n != 0 {
		t.Fatalf("%d blobs left in the database", n)
	}
	if n := len(blobFiles(t, s)); n != len(bodies) {
		t.Fatalf("%d blob files, want %d", n, len(bodies))
	}
	for id, want := range bodies {
		got, err := s.Raw(ctx, id)
		must(t, err)
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: %d bytes back, want %d", id, len(got), len(want))
		}
	}
	// GC after the upgrade removes a dropped body's file.
	id, _ := s.Lookup(ctx, f.inbox, 7)
	must(t, s.PutBody(ctx, id, Body{Raw: []byte("Subject: new\r\n\r\n.\r\n")}))
	st, err := s.GC(ctx, time.Now())
	must(t, err)
	if st.Blobs != 1 || len(blobFiles(t, s)) != len(bodies) {
		t.Errorf("GC after the upgrade = %+v, %d files", st, len(blobFiles(t, s)))
	}
}

func deflate(t testing.TB, raw []byte) []byte {
	t.Helper()
	var zb bytes.Buffer
	zw, err := flate.NewWriter(&zb, flate.BestSpeed)
	must(t, err)
	_, err = zw.Write(raw)
	must(t, err)
	must(t, zw.Close())
	return zb.Bytes()
}

// TestWriteBlobFileAgain: writing a blob whose file exists (a duplicate
// message, or two encoders with the same bytes at once) leaves one
// complete file and no temporary one, whatever the order.
func TestWriteBlobFileAgain(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("the same message\r\n"), 1000)
	h := sha256.Sum256(data)
	must(t, writeBlobFile(dir, h, data))
	must(t, writeBlobFile(dir, h, data))
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- writeBlobFile(dir, h, data) }()
	}
	for range 8 {
		must(t, <-errs)
	}
	got, err := readBlobFile(dir, h)
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Fatalf("blob file holds %d bytes, want the %d written", len(got), len(data))
	}
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	must(t, err)
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	if fileExists(filepath.Join(dir, "tmp", "nothing")) || !fileExists(blobPath(dir, h)) {
		t.Fatal("fileExists is wrong")
	}
}

// TestPrepareWriteReusesItsBuffer writes bodies through one Encoder, as an
// encoder of the sync does: each file holds its own body although the
// compressed bytes share the Encoder's buffer, and the writer only
// records them.
func TestPrepareWriteReusesItsBuffer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	raws := [][]byte{
		bytes.Repeat([]byte("Subject: one\r\n\r\nfirst body, compressible\r\n"), 300),
		bytes.Repeat([]byte("Subject: two\r\n\r\nsecond, shorter\r\n"), 40),
		[]byte("Subject: three\r\n\r\ntoo small to compress\r\n"),
	}
	var e Encoder
	var ps []PreparedBody
	for i, raw := range raws {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		p, err := e.PrepareWrite(f.s, id, Body{Raw: raw})
		must(t, err)
		if p.data != nil {
			t.Fatalf("body %d: PrepareWrite kept its bytes for the writer", i)
		}
		ps = append(ps, p)
	}
	if n := len(blobFiles(t, f.s)); n != len(raws) {
		t.Fatalf("%d blob files, want %d", n, len(raws))
	}
	must(t, f.s.PutRawBodies(ctx, ps))
	for i, p := range ps {
		got, err := f.s.Raw(ctx, p.ID)
		must(t, err)
		if !bytes.Equal(got, raws[i]) {
			t.Fatalf("body %d read back as %d bytes, want its own %d", i, len(got), len(raws[i]))
		}
	}
	must(t, f.s.CheckIntegrity(ctx))
}

// TestRawBodyOverOlderCodec: a body downloaded again whose content a
// store holds under an older codec (a deflate blob moved to its file by
// v13) replaces that file with the encoder's form; the row takes the new
// codec in the same transaction, so both messages read back.
func TestRawBodyOverOlderCodec(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(2, 1)))
	id1, _ := f.s.Lookup(ctx, f.inbox, 1)
	id2, _ := f.s.Lookup(ctx, f.inbox, 2)
	raw := bytes.Repeat([]byte("Subject: old\r\n\r\nstored by an older Magpie\r\n"), 100)
	sum := sha256.Sum256(raw)
	must(t, writeBlobFile(f.s.blobs, sum, deflate(t, raw)))
	_, err := f.s.w.ExecContext(ctx, `INSERT INTO blobs(hash, size, codec, data) VALUES (?, ?, ?, x'')`, sum[:], len(raw), CodecDeflate)
	must(t, err)
	_, err = f.s.w.ExecContext(ctx, `UPDATE messages SET blob_hash = ? WHERE id = ?`, sum[:], id1)
	must(t, err)
	var e Encoder
	p, err := e.PrepareWrite(f.s, id2, Body{Raw: raw})
	must(t, err)
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p}))
	for _, id := range []MessageID{id1, id2} {
		got, err := f.s.Raw(ctx, id)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("message %d: %d bytes back, err %v", id, len(got), err)
		}
	}
	must(t, f.s.CheckIntegrity(ctx))
}
