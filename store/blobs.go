package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/s2"
)

// Hash is the SHA-256 of a message's raw bytes, its content address.
type Hash [sha256.Size]byte

// Codec says how a blob's bytes are stored. Stored per blob so it can change:
// a store keeps reading blobs written with an older codec.
type Codec int

const (
	CodecIdentity Codec = 0 // stored as is
	CodecDeflate  Codec = 1 // RFC 1951 raw deflate (compress/flate); written before S2, still read
	CodecS2       Codec = 2 // S2 block format (github.com/klauspost/compress/s2), Snappy-compatible
)

// Raw mail is mostly text plus base64 attachments. New blobs are written
// with S2, an LZ77 coder without entropy coding: it compresses about 14×
// faster than compress/flate at BestSpeed and decompresses several times
// faster, for less gain (measured on internal/corpus: 0.64 of the raw size
// against deflate's 0.50). Compression runs on the initial sync's critical
// path and decompression on every read and on the index stage, so speed
// wins. A blob is kept compressed only when that saves at least 1/8 of its
// size, so already compressed content (base64 of a ZIP, inline JPEG) costs
// nothing extra on read. Small blobs are not worth it.
const (
	compressMin   = 512
	compressRatio = 8 // keep S2 only if len(z) ≤ len(raw) - len(raw)/compressRatio
)

func encodeBlob(raw []byte) (Codec, []byte, error) {
	var e Encoder
	return e.encode(raw)
}

// Encoder compresses blobs, reusing its output buffer from one blob to the
// next. The zero value is ready; an Encoder is not safe for concurrent use
// (keep one per goroutine).
type Encoder struct {
	buf []byte
}

func (e *Encoder) encode(raw []byte) (Codec, []byte, error) {
	codec, data, shared, err := e.encodeShared(raw)
	if shared {
		data = bytes.Clone(data)
	}
	return codec, data, err
}

// encodeShared is encode without the copy: when shared, the result is
// e's own buffer, valid until e encodes again (see PrepareWrite).
func (e *Encoder) encodeShared(raw []byte) (codec Codec, data []byte, shared bool, err error) {
	if len(raw) < compressMin {
		return CodecIdentity, raw, false, nil
	}
	n := s2.MaxEncodedLen(len(raw))
	if n < 0 {
		return CodecIdentity, raw, false, nil // too large for one S2 block (over 4 GB)
	}
	if n > encoderKeep {
		codec, data, err = e.encodeLarge(raw, n)
		return codec, data, false, err
	}
	if cap(e.buf) < n {
		e.buf = make([]byte, n)
	}
	z := s2.Encode(e.buf[:n], raw)
	if len(z) <= len(raw)-len(raw)/compressRatio {
		return CodecS2, z, true, nil
	}
	return CodecIdentity, raw, false, nil
}

// encodeLarge encodes a blob whose output would not fit the kept buffer: a
// large attachment, mostly base64 of already compressed content (JPEG, ZIP,
// PDF), which S2 cannot shrink. Samples spread over the blob are tried
// first, and only when they pay is the whole blob encoded, into a buffer of
// its own handed out as the result (not copied: it would not be kept).
// Encoding a 5 MB attachment only to drop the result took a 6 MB buffer
// per large message on the download's path, beside the body itself; that
// garbage, more often than not alongside another large body, set the peak
// of a cold sync's Go heap, higher the more large attachments a mailbox
// has. A blob whose samples do not pay is stored as it is, even if it
// would have as a whole (a small compressible part beside a large
// incompressible one): that costs disk, never correctness.
func (e *Encoder) encodeLarge(raw []byte, n int) (Codec, []byte, error) {
	if cap(e.buf) < s2.MaxEncodedLen(sampleLen) {
		e.buf = make([]byte, s2.MaxEncodedLen(sampleLen))
	}
	in, out := 0, 0
	for i := range samples {
		off := i * (len(raw) - sampleLen) / (samples - 1)
		in += sampleLen
		out += len(s2.Encode(e.buf, raw[off:off+sampleLen]))
	}
	if out > in-in/compressRatio {
		return CodecIdentity, raw, nil
	}
	z := s2.Encode(make([]byte, n), raw)
	if len(z) <= len(raw)-len(raw)/compressRatio {
		return CodecS2, z, nil
	}
	return CodecIdentity, raw, nil
}

// samples windows of sampleLen bytes each, from the blob's start to its
// end, decide whether a large blob is worth compressing (encodeLarge).
const (
	samples   = 4
	sampleLen = 64 << 10
)

// encoderKeep is the largest output buffer an Encoder keeps between blobs.
const encoderKeep = 1 << 20

func decodeBlob(codec Codec, data []byte, size int64) ([]byte, error) {
	switch codec {
	case CodecIdentity:
		return data, nil
	case CodecS2:
		n, err := s2.DecodedLen(data)
		if err != nil {
			return nil, err
		}
		if int64(n) != size {
			return nil, fmt.Errorf("s2 length %d, want %d", n, size)
		}
		return s2.Decode(nil, data)
	case CodecDeflate:
		out := make([]byte, 0, size)
		buf := bytes.NewBuffer(out)
		zr := flate.NewReader(bytes.NewReader(data))
		defer zr.Close()
		if _, err := io.Copy(buf, zr); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	default:
		return nil, fmt.Errorf("unknown codec %d", codec)
	}
}

// Body is what PutBody stores for a message.
type Body struct {
	Raw []byte // the message exactly as the server sent it (RFC822 / BODY[])
	// Text is the plain text the caller extracted (message package); it is
	// indexed for search, not stored with the blob.
	Text string
	// Preview replaces the message's preview when not empty.
	Preview string
	// HasAttachment replaces the header-time guess when not nil.
	HasAttachment *bool
}

// PutBody stores a message's raw bytes (once per distinct content, whatever
// the number of folders holding it) and indexes its body text, in one
// transaction. Calling it again replaces the text and relinks the blob.
func (s *Store) PutBody(ctx context.Context, id MessageID, b Body) error {
	sum := sha256.Sum256(b.Raw)
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := putBlob(ctx, tx, s.blobs, sum, b.Raw); err != nil {
			return fmt.Errorf("store: put body %d: %w", id, err)
		}
		return linkBody(ctx, tx, id, sum, b)
	})
}

// putBlob stores a blob (its file and its row, see recordBlob) unless its
// hash is there already.
func putBlob(ctx context.Context, tx *sql.Tx, dir string, sum Hash, raw []byte) error {
	var e Encoder
	codec, data, err := e.encode(raw)
	if err != nil {
		return err
	}
	return recordBlob(ctx, tx, dir, sum, len(raw), codec, data, raw, false)
}

func linkBody(ctx context.Context, tx *sql.Tx, id MessageID, sum Hash, b Body) error {
	if err := linkMessage(ctx, tx, id, sum, b); err != nil {
		return err
	}
	if err := upsertTexts(ctx, tx, map[MessageID]string{id: b.Text}, nil); err != nil {
		return fmt.Errorf("store: put body %d: %w", id, err)
	}
	return nil
}

// linkMessage points a message at its blob and updates what the body tells
// about it, marking it indexed; the indexed text (upsertTexts) is the
// caller's to write, in the same transaction.
func linkMessage(ctx context.Context, tx *sql.Tx, id MessageID, sum Hash, b Body) error {
	res, err := tx.ExecContext(ctx, `UPDATE messages SET blob_hash = ?, indexed = 1,
		preview = CASE WHEN ?2 = '' THEN preview ELSE ?2 END,
		has_attachment = coalesce(?3, has_attachment) WHERE id = ?4`, sum[:], b.Preview, b.HasAttachment, id)
	if err != nil {
		return fmt.Errorf("store: put body %d: %w", id, err)
	}
	return mustAffect(res, "message", int64(id))
}

// Raw returns a message's raw bytes, byte-exact. The error wraps ErrNotFound
// when the message is gone or its body was never fetched, and ErrCorrupt when
// the stored bytes fail their SHA-256.
func (s *Store) Raw(ctx context.Context, id MessageID) ([]byte, error) {
	var hash []byte
	err := s.r.QueryRowContext(ctx, `SELECT blob_hash FROM messages WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && hash == nil) {
		return nil, fmt.Errorf("store: raw %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: raw %d: %w", id, err)
	}
	var h Hash
	copy(h[:], hash)
	return s.RawByHash(ctx, h)
}

// RawByHash returns the raw bytes stored under a content address.
func (s *Store) RawByHash(ctx context.Context, h Hash) ([]byte, error) {
	size, codec, data, err := s.blobRow(ctx, h)
	if err != nil {
		return nil, err
	}
	raw, err := s.decodeStored(h, size, codec, data)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		raw = []byte{}
	}
	return raw, nil
}

// blobRow reads the row of the blob h: its size, codec and the bytes kept
// in SQLite (none for a blob in its file: every blob since v13).
func (s *Store) blobRow(ctx context.Context, h Hash) (size int64, codec Codec, data []byte, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT size, codec, data FROM blobs WHERE hash = ?`, h[:]).Scan(&size, &codec, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil, fmt.Errorf("store: blob %x: %w", h[:8], ErrNotFound)
	}
	if err != nil {
		return 0, 0, nil, fmt.Errorf("store: blob %x: %w", h[:8], err)
	}
	return size, codec, data, nil
}

// decodeStored is the raw bytes of the blob h whose row blobRow read:
// data decoded, or its file's bytes when data is empty, checked against
// the row's size and h.
func (s *Store) decodeStored(h Hash, size int64, codec Codec, data []byte) ([]byte, error) {
	if len(data) == 0 {
		var err error
		if data, err = readBlobFile(s.blobs, h); err != nil {
			return nil, fmt.Errorf("store: blob %x: %w: %w", h[:8], ErrCorrupt, err)
		}
	}
	raw, err := decodeBlob(codec, data, size)
	if err != nil {
		return nil, fmt.Errorf("store: blob %x: %w: %w", h[:8], ErrCorrupt, err)
	}
	if int64(len(raw)) != size || sha256.Sum256(raw) != h {
		return nil, fmt.Errorf("store: blob %x: %w", h[:8], ErrCorrupt)
	}
	return raw, nil
}

// BodyHash returns the content address of a message's raw bytes, and false
// when its body is not stored.
func (s *Store) BodyHash(ctx context.Context, id MessageID) (Hash, bool, error) {
	var hash []byte
	var h Hash
	err := s.r.QueryRowContext(ctx, `SELECT blob_hash FROM messages WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, fmt.Errorf("store: body hash %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return h, false, fmt.Errorf("store: body hash %d: %w", id, err)
	}
	copy(h[:], hash)
	return h, hash != nil, nil
}

// detachWhere stashes the bodies of the messages matching where (a fixed SQL
// fragment over messages; values bound through args) before they are
// deleted, keyed by Message-ID and size, so PutHeaders can relink them.
func detachWhere(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	args = append([]any{time.Now().Unix()}, args...)
	_, err := tx.ExecContext(ctx, `INSERT INTO detached(account_id, message_id, size, blob_hash, body, detached_at)
		SELECT m.account_id, m.message_id, m.size, m.blob_hash, coalesce(t.body, ''), ?
		FROM messages m LEFT JOIN texts t ON t.id = m.id
		WHERE m.blob_hash IS NOT NULL AND m.message_id != '' AND `+where, args...)
	return err
}
