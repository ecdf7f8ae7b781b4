package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Deferred indexing. An initial sync stores raw bodies first (PutRawBodies:
// the mail is readable offline as soon as that commits) and leaves parsing
// them and feeding the full-text index to a later stage (Unindexed,
// PutTexts), which the sync engine runs after, or beside, the downloads.
// messages.indexed = 0 marks a stored body whose text is not in the index
// yet; both steps are transactions, so a killed process leaves every
// message either waiting for the index or indexed, and the next run
// continues.

// migrateIndexQueue adds messages.indexed (existing rows are indexed)
// with a partial index over the rows waiting, so finding them never scans,
// and rebuilds blobs as an ordinary rowid table with a UNIQUE hash.
//
// Why the rebuild: v1 made blobs WITHOUT ROWID, so each row (hash, size,
// codec, data) lived inside the primary-key b-tree, and almost every row
// overflows a page. SQLite compares a key against an overflowing cell by
// reading the whole cell, so every lookup or insert by hash read several
// whole message bodies from disk (about 40% of a cold sync's time, growing
// with the store). Now the hash index holds (hash, rowid) only, and a
// body's overflow pages are read only when its data is asked for.
//
// The rows go through a copy (blobs_old) because the table must keep its
// name (messages and detached reference "blobs" by name, and a rename would
// drag those references along). With defer_foreign_keys, dropping the old
// table counts the orphaned references and reinserting every hash counts
// them back, so the commit finds no violation. A one-time cost: the body
// bytes are copied twice.
func migrateIndexQueue(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1`,
		`CREATE INDEX messages_unindexed ON messages(account_id, id) WHERE indexed = 0`,
		`PRAGMA defer_foreign_keys = ON`, // reset by SQLite at the commit
		`CREATE TABLE blobs_old(hash BLOB NOT NULL, size INTEGER NOT NULL, codec INTEGER NOT NULL, data BLOB NOT NULL)`,
		`INSERT INTO blobs_old SELECT hash, size, codec, data FROM blobs`,
		`DROP TABLE blobs`,
		`CREATE TABLE blobs(
			hash  BLOB NOT NULL UNIQUE,
			size  INTEGER NOT NULL,
			codec INTEGER NOT NULL,
			data  BLOB NOT NULL)`,
		`INSERT INTO blobs(hash, size, codec, data) SELECT hash, size, codec, data FROM blobs_old`,
		`DROP TABLE blobs_old`,
	)
}

// PutRawBodies stores raw bodies in one transaction, like PutBodies, but
// leaves their text out of the index: each message is marked as waiting for
// PutTexts. Body.Text, Preview and HasAttachment are ignored.
func (s *Store) PutRawBodies(ctx context.Context, bodies []PreparedBody) error {
	if len(bodies) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error { return putRawBodies(ctx, tx, s.stmts, s.blobs, bodies) })
}

// insertBlobSQL records a blob unless its hash is there already (content
// addressing dedups); data is empty since v13 (see recordBlob).
const insertBlobSQL = `INSERT INTO blobs(hash, size, codec, data) VALUES (?,?,?,?) ON CONFLICT(hash) DO NOTHING`

// The batch statements of putRawBodies. A batch's hashes travel as one
// blob, 32 bytes each (substr of a blob is a blob), beside a JSON list of
// integers whose element k goes with the hash at k*32: no JSON string per
// hash to parse, extract and unhex, as an earlier [[id, "HEX"], …] form
// did (jsonExtract and unhex were ~5% of the writer's CPU to offline).
//
// qInsertBlobs records the batch's blobs (one statement rather than one per
// body: each costs a round through database/sql and the driver); ?1 holds
// size·4 + codec (a codec is below 4) per blob. A blob already recorded
// keeps its row. qInsertWritten is the same for bodies whose files the
// encoders wrote (see PreparedBody.written): the file now holds the
// encoder's form, so a row of an older codec (a deflate blob of a store
// from before S2, moved to its file by v13) takes the new one, in the
// same transaction that links the body; until that commits, a reader of
// the older row finds the file changed under it and reports it corrupt.
//
// qLinkRaw points the messages (?1: their IDs) at their bodies and returns
// the IDs it found, with whether each was indexed. One statement for the
// batch rather than one per message: each statement costs a round through
// database/sql and the driver, and, since this UPDATE checks a foreign key
// and fires a trigger, its own statement journal, into which every page it
// touches is copied again. It leaves indexed alone: naming it would
// rewrite every row's entry of the partial index messages_unindexed,
// where a new row (see texts.go) already is; qUnindex marks the few that
// were indexed.
const (
	qInsertBlobs = `INSERT INTO blobs(hash, size, codec, data)
	SELECT substr(?2, j.key * 32 + 1, 32), j.value >> 2, j.value & 3, x'' FROM json_each(?1) AS j WHERE true
	ON CONFLICT(hash) DO NOTHING`
	qInsertWritten = `INSERT INTO blobs(hash, size, codec, data)
	SELECT substr(?2, j.key * 32 + 1, 32), j.value >> 2, j.value & 3, x'' FROM json_each(?1) AS j WHERE true
	ON CONFLICT(hash) DO UPDATE SET codec = excluded.codec WHERE codec <> excluded.codec`
	qLinkRaw = `UPDATE messages SET blob_hash = substr(?2, j.key * 32 + 1, 32)
	FROM json_each(?1) AS j WHERE messages.id = j.value RETURNING messages.id, messages.indexed`
	qUnindex = `UPDATE messages SET indexed = 0 WHERE id IN (SELECT value FROM json_each(?))`
)

func putRawBodies(ctx context.Context, tx *sql.Tx, cache stmtCache, dir string, bodies []PreparedBody) error {
	if len(bodies) == 0 {
		return nil
	}
	last := make(map[MessageID]int, len(bodies)) // a message twice: the last body wins
	for i, b := range bodies {
		last[b.ID] = i
	}
	// The blobs whose files are in place, in one statement per kind (see
	// qInsertWritten); a missing file (see recordBlob) is written and
	// recorded on its own.
	var sizes [2]strings.Builder
	hashes := [2][]byte{nil, make([]byte, 0, len(bodies)*len(Hash{}))}
	for _, b := range bodies {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !fileExists(blobPath(dir, b.sum)) {
			if err := recordBlob(ctx, tx, dir, b.sum, len(b.Body.Raw), b.codec, b.data, b.Body.Raw, b.written); err != nil {
				return fmt.Errorf("store: put body %d: %w", b.ID, err)
			}
			continue
		}
		k := boolInt(b.written)
		if len(hashes[k]) == 0 {
			sizes[k].WriteByte('[')
		} else {
			sizes[k].WriteByte(',')
		}
		sizes[k].WriteString(strconv.FormatInt(int64(len(b.Body.Raw))<<2|int64(b.codec&3), 10))
		hashes[k] = append(hashes[k], b.sum[:]...)
	}
	for k, q := range []string{qInsertBlobs, qInsertWritten} {
		if len(hashes[k]) == 0 {
			continue
		}
		sizes[k].WriteByte(']')
		if err := cache.exec(ctx, tx, q, sizes[k].String(), hashes[k]); err != nil {
			return fmt.Errorf("store: put raw bodies: %w", err)
		}
	}
	var ids strings.Builder
	linked := make([]byte, 0, len(bodies)*len(Hash{}))
	ids.WriteByte('[')
	for i, b := range bodies {
		if last[b.ID] != i {
			continue
		}
		if len(linked) > 0 {
			ids.WriteByte(',')
		}
		ids.WriteString(strconv.FormatInt(int64(b.ID), 10))
		linked = append(linked, b.sum[:]...)
	}
	ids.WriteByte(']')
	link, err := cache.prepare(ctx, tx, qLinkRaw)
	if err != nil {
		return fmt.Errorf("store: put raw bodies: %w", err)
	}
	defer link.Close()
	rows, err := link.QueryContext(ctx, ids.String(), linked)
	if err != nil {
		return fmt.Errorf("store: put raw bodies: %w", err)
	}
	defer rows.Close()
	var indexed []MessageID
	for rows.Next() {
		var id MessageID
		var ix bool
		if err := rows.Scan(&id, &ix); err != nil {
			return fmt.Errorf("store: put raw bodies: %w", err)
		}
		delete(last, id)
		if ix {
			indexed = append(indexed, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: put raw bodies: %w", err)
	}
	rows.Close()
	if len(indexed) > 0 {
		if _, err := tx.ExecContext(ctx, qUnindex, jsonInts(indexed)); err != nil {
			return fmt.Errorf("store: put raw bodies: %w", err)
		}
	}
	for _, b := range bodies {
		if _, gone := last[b.ID]; gone {
			return fmt.Errorf("store: message %d: %w", b.ID, ErrNotFound)
		}
	}
	return nil
}

// Unindexed is a message waiting for the full-text index: its stored body,
// or, with a zero Hash, its headers alone (no body stored: PutTexts with
// a zero Hash and no Text indexes its headers).
type Unindexed struct {
	ID   MessageID
	Hash Hash
	Size int64
}

// Unindexed returns up to limit messages of an account waiting for the
// index, in ID order, starting after the given ID (0: from the start):
// stored bodies not indexed yet, and rows not in the index at all (see
// texts.go).
func (s *Store) Unindexed(ctx context.Context, acct AccountID, after MessageID, limit int) ([]Unindexed, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.blob_hash, coalesce(b.size, 0)
		FROM messages m INDEXED BY messages_unindexed LEFT JOIN blobs b ON b.hash = m.blob_hash
		WHERE m.account_id = ? AND m.indexed = 0 AND m.id > ? ORDER BY m.id LIMIT ?`, acct, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unindexed: %w", err)
	}
	defer rows.Close()
	var out []Unindexed
	for rows.Next() {
		var u Unindexed
		var hash []byte
		if err := rows.Scan(&u.ID, &hash, &u.Size); err != nil {
			return nil, fmt.Errorf("store: unindexed: %w", err)
		}
		copy(u.Hash[:], hash)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unindexed: %w", err)
	}
	return out, nil
}

// IndexBacklog counts an account's messages whose stored body is not in
// the full-text index yet (`magpie status` shows it while it lags).
func (s *Store) IndexBacklog(ctx context.Context, acct AccountID) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM messages INDEXED BY messages_unindexed
		WHERE account_id = ? AND indexed = 0`, acct).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: index backlog: %w", err)
	}
	return n, nil
}

// BodyText is what a caller extracted from a stored body for the index.
type BodyText struct {
	ID   MessageID
	Hash Hash // the body it was extracted from; zero: none (headers only)
	// Text is indexed; Preview and HasAttachment replace the header-time
	// values as in Body.
	Text          string
	Preview       string
	HasAttachment *bool
}

// PutTexts writes extracted texts into the index and marks their messages
// indexed (in that order, see below). A text whose message is gone, or
// whose body changed since it was read (Hash differs), is skipped.
func (s *Store) PutTexts(ctx context.Context, texts []BodyText) error {
	if len(texts) == 0 {
		return nil
	}
	type row struct {
		ID      MessageID `json:"i"`
		Hash    string    `json:"h"`
		Preview string    `json:"p"`
		Att     *bool     `json:"a"`
	}
	s.ready(ctx)
	rows := make([]row, 0, len(texts))
	ids := make([]MessageID, 0, len(texts))
	for _, t := range texts {
		rows = append(rows, row{t.ID, hexHash(t.Hash), t.Preview, t.HasAttachment})
		ids = append(ids, t.ID)
	}
	// The headers' part of each texts row, read from the messages (they
	// never change once stored); a message gone meanwhile is skipped.
	hdr, err := headerTexts(ctx, s.r, ids)
	if err != nil {
		return fmt.Errorf("store: put texts: %w", err)
	}
	trows := make([][6]any, 0, len(texts))
	for _, t := range texts {
		if h, ok := hdr[t.ID]; ok {
			trows = append(trows, [6]any{t.ID, h.subject, h.from, h.rcpt, t.Text, hexHash(t.Hash)})
		}
	}
	tj, err := json.Marshal(trows)
	if err != nil {
		return fmt.Errorf("store: put texts: %w", err)
	}
	j, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("store: put texts: %w", err)
	}
	// Two statements, each its own transaction, texts first. One statement
	// for the whole batch's text: FTS5 flushes its pending segment at every
	// statement, so one per message would fragment the index (see
	// inserter). On its own (autocommit) it needs no statement journal,
	// which would otherwise hold the original of every index page the FTS5
	// merges it triggers rewrite. A crash between the two leaves messages
	// still marked waiting: indexing them again writes the same text. Only
	// rows still pointing at the body a text came from (or still without a
	// body, for a text of headers only) are written. A new message has no
	// texts row yet (see texts.go): it is inserted, once.
	if _, err := s.w.ExecContext(ctx, qUpsertTexts, string(tj)); err != nil {
		return fmt.Errorf("store: put texts: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE messages SET indexed = 1,
		preview = CASE WHEN (j.value ->> 'p') = '' THEN messages.preview ELSE j.value ->> 'p' END,
		has_attachment = coalesce(j.value ->> 'a', messages.has_attachment)
		FROM json_each(?1) AS j
		WHERE messages.id = j.value ->> 'i' AND coalesce(hex(messages.blob_hash), '') = j.value ->> 'h'`, string(j)); err != nil {
		return fmt.Errorf("store: put texts: %w", err)
	}
	s.ckpt.nudge()
	return nil
}
