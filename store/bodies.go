package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
)

// PreparedBody is a message body whose hash and stored (compressed) form
// are computed ahead of PutBodies: CPU work a caller can spread over cores
// while the single writer only writes.
type PreparedBody struct {
	ID    MessageID
	Body  Body
	sum   Hash
	codec Codec
	data  []byte
	// written: this body's file was written (WriteBlob, PrepareWrite) in
	// its codec, over whatever file of the same content was there.
	written bool
}

// PrepareBody hashes and encodes b for PutBodies. It is safe to call from
// any goroutine.
func PrepareBody(id MessageID, b Body) (PreparedBody, error) {
	var e Encoder
	return e.Prepare(id, b)
}

// Prepare is PrepareBody reusing e's compressor (see Encoder).
func (e *Encoder) Prepare(id MessageID, b Body) (PreparedBody, error) {
	codec, data, err := e.encode(b.Raw)
	if err != nil {
		return PreparedBody{}, fmt.Errorf("store: prepare body %d: %w", id, err)
	}
	return PreparedBody{ID: id, Body: b, sum: sha256.Sum256(b.Raw), codec: codec, data: data}, nil
}

// Size is the raw size of the body.
func (p PreparedBody) Size() int { return len(p.Body.Raw) }

// PutBodies stores several bodies in one transaction, as PutBody does one.
// The sync engine writes bodies in batches: one commit, and one FTS5
// segment, per batch instead of per message is what keeps an initial sync
// of a large mailbox fast.
func (s *Store) PutBodies(ctx context.Context, bodies []PreparedBody) error {
	if len(bodies) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		texts := make(map[MessageID]string, len(bodies))
		last := make(map[MessageID]int, len(bodies)) // a message twice: the last body wins
		for i, b := range bodies {
			last[b.ID] = i
		}
		for i, b := range bodies {
			if last[b.ID] != i {
				continue
			}
			if err := recordBlob(ctx, tx, s.blobs, b.sum, len(b.Body.Raw), b.codec, b.data, b.Body.Raw, b.written); err != nil {
				return fmt.Errorf("store: put body %d: %w", b.ID, err)
			}
			if err := linkMessage(ctx, tx, b.ID, b.sum, b.Body); err != nil {
				return err
			}
			texts[b.ID] = b.Body.Text
		}
		// One statement for the batch's index text: FTS5 flushes a segment
		// at every statement savepoint (see inserter).
		if err := upsertTexts(ctx, tx, texts, nil); err != nil {
			return fmt.Errorf("store: put bodies: %w", err)
		}
		return nil
	})
}
