package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"testing"
)

// TestOpenRawReadsWhatRawByHashReads: OpenRaw yields the stored bytes of a
// blob kept as is in its file (a large incompressible attachment), of an
// S2 one (decoded in memory) and of a small one, and a file changed or cut on disk is an
// ErrCorrupt at the end of reading.
func TestOpenRawReadsWhatRawByHashReads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	noise := make([]byte, 3<<20)
	_, _ = rand.Read(noise)
	raws := [][]byte{
		append([]byte("Subject: big\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"), base64.StdEncoding.EncodeToString(noise)...),
		bytes.Repeat([]byte("Subject: 压缩\r\n\r\nthe same line again and again\r\n"), 200),
		[]byte("Subject: s\r\n\r\nx\r\n"),
	}
	hashes := make([]Hash, len(raws))
	for i, raw := range raws {
		id, err := f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		must(t, f.s.PutBody(ctx, id, Body{Raw: raw}))
		h, ok, err := f.s.BodyHash(ctx, id)
		must(t, err)
		if !ok {
			t.Fatal("no body hash")
		}
		hashes[i] = h
	}
	for i, h := range hashes {
		r, err := f.s.OpenRaw(ctx, h)
		must(t, err)
		if _, streamed := r.(*checkedReader); streamed != (i != 1) {
			t.Errorf("blob %d: read from its file as it goes: %v", i, streamed)
		}
		got, err := io.ReadAll(r)
		must(t, err)
		must(t, r.Close())
		if !bytes.Equal(got, raws[i]) {
			t.Errorf("blob %d: OpenRaw read %d bytes, want the %d stored", i, len(got), len(raws[i]))
		}
	}
	if _, err := f.s.OpenRaw(ctx, Hash{1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenRaw of an unknown hash: %v, want ErrNotFound", err)
	}
	// The large blob's file, changed and then cut.
	path := blobPath(f.s.blobs, hashes[0])
	bad := bytes.Clone(raws[0])
	bad[len(bad)/2] ^= 1
	must(t, os.WriteFile(path, bad, 0o600))
	for _, name := range []string{"changed", "cut"} {
		r, err := f.s.OpenRaw(ctx, hashes[0])
		must(t, err)
		if _, err := io.ReadAll(r); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s file: read %v, want ErrCorrupt", name, err)
		}
		r.Close()
		must(t, os.WriteFile(path, raws[0][:len(raws[0])-10], 0o600))
	}
}
