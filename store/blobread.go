package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
)

// OpenRaw returns a reader of the raw bytes stored under a content
// address, for a reader that needs them once, in order (the index stage),
// without holding a large body whole. A blob stored as it is in its file
// (every large attachment S2 could not shrink; see encodeLarge) is read
// from the file as the reader goes; any other blob (S2 block data cannot
// be decoded in pieces, and small bodies are not worth it) is decoded in
// memory first, as RawByHash does. The bytes are checked as RawByHash
// checks them, the size and SHA-256 at the end: the Read that reaches the
// end returns an error wrapping ErrCorrupt instead of io.EOF when they
// fail, so a caller that reads to the end sees it. The caller closes the
// reader.
func (s *Store) OpenRaw(ctx context.Context, h Hash) (io.ReadCloser, error) {
	size, codec, data, err := s.blobRow(ctx, h)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 && codec == CodecIdentity { // in its file, as it is
		f, err := os.Open(blobPath(s.blobs, h))
		if err != nil {
			return nil, fmt.Errorf("store: blob %x: %w: %w", h[:8], ErrCorrupt, err)
		}
		return &checkedReader{f: f, want: h, left: size, sum: sha256.New()}, nil
	}
	raw, err := s.decodeStored(h, size, codec, data)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}

// checkedReader reads a blob's file and checks its size and SHA-256 at the
// end (see OpenRaw).
type checkedReader struct {
	f    *os.File
	want Hash
	left int64 // bytes still to come, by the blob's row
	sum  hash.Hash
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.sum.Write(p[:n])
	c.left -= int64(n)
	if c.left < 0 {
		return n, fmt.Errorf("store: blob %x: %w: longer than its size", c.want[:8], ErrCorrupt)
	}
	if err == io.EOF {
		if c.left != 0 || Hash(c.sum.Sum(nil)) != c.want {
			return n, fmt.Errorf("store: blob %x: %w", c.want[:8], ErrCorrupt)
		}
	} else if err != nil {
		err = fmt.Errorf("store: blob %x: %w", c.want[:8], err)
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.f.Close() }
