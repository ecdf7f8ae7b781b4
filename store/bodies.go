package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
)

// BodyFor is one message's body for PutBodies.
type BodyFor struct {
	ID   MessageID
	Body Body
}

// PutBodies stores several bodies in one transaction, as PutBody does one.
// The sync engine writes bodies in batches: one commit, and one FTS5
// segment, per batch instead of per message is what keeps an initial sync
// of a large mailbox fast.
func (s *Store) PutBodies(ctx context.Context, bodies []BodyFor) error {
	if len(bodies) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, b := range bodies {
			sum := sha256.Sum256(b.Body.Raw)
			if err := putBlob(ctx, tx, sum, b.Body.Raw); err != nil {
				return fmt.Errorf("store: put body %d: %w", b.ID, err)
			}
			if err := linkBody(ctx, tx, b.ID, sum, b.Body); err != nil {
				return err
			}
		}
		return nil
	})
}
