package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// A message's texts row (subject, from, recipients and body text: what the
// full-text index holds, see migrateV2ThreadsAndSearch) is written once,
// with its body's text, rather than with the headers and again with the
// body: each write of a texts row is an FTS5 insert, and each rewrite a
// delete and an insert. So a new row waits without one (indexed = 0) until
// the index stage (PutTexts) or a body written with its text (PutBody,
// PutBodies) writes it; Search finds such a row by its headers meanwhile.
// The invariant: indexed = 1 means the texts row holds the row's final
// text; indexed = 0 means it is absent or lacks the body.

// qUpsertTexts writes texts rows ([id, subject, from, rcpt, body, hash]
// in a JSON list) for the messages whose body is still hash (hex, upper
// case; empty for no body), replacing the body of a row there already. One
// statement per batch: FTS5 flushes a segment per statement (see
// inserter).
const qUpsertTexts = `INSERT INTO texts(id, subject, from_text, rcpt_text, body)
	SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4
	FROM json_each(?) AS j JOIN messages m ON m.id = j.value ->> 0
	WHERE coalesce(hex(m.blob_hash), '') = j.value ->> 5
	ON CONFLICT(id) DO UPDATE SET body = excluded.body`

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// headerTexts reads the texts columns other than the body of the messages
// ids (missing ones are left out), with their body's hash as qUpsertTexts
// compares it.
func headerTexts(ctx context.Context, q queryer, ids []MessageID) (map[MessageID]headerText, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, coalesce(hex(m.blob_hash), ''), m.subject,
		m.from_name, m.from_addr, m.to_list, m.cc_list
		FROM json_each(?) AS j CROSS JOIN messages m WHERE m.id = j.value`, jsonInts(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[MessageID]headerText, len(ids))
	for rows.Next() {
		var id MessageID
		var h headerText
		var from Address
		var to, cc string
		if err := rows.Scan(&id, &h.hash, &h.subject, &from.Name, &from.Addr, &to, &cc); err != nil {
			return nil, err
		}
		toA, _ := decodeAddrs(to)
		ccA, _ := decodeAddrs(cc)
		h.from = addrText([]Address{from})
		h.rcpt = addrText(append(toA, ccA...))
		out[id] = h
	}
	return out, rows.Err()
}

type headerText struct {
	hash, subject, from, rcpt string
}

// upsertTexts writes the texts rows of bodies (message ID → body text)
// whose messages still hold the body they were read from (hash: the
// message's blob_hash as headerTexts reads it; nil: whatever it holds now).
func upsertTexts(ctx context.Context, tx *sql.Tx, bodies map[MessageID]string, hash map[MessageID]string) error {
	if len(bodies) == 0 {
		return nil
	}
	ids := make([]MessageID, 0, len(bodies))
	for id := range bodies {
		ids = append(ids, id)
	}
	hdr, err := headerTexts(ctx, tx, ids)
	if err != nil {
		return err
	}
	rows := make([][6]any, 0, len(hdr))
	for id, h := range hdr {
		want := h.hash
		if hash != nil {
			want = hash[id]
		}
		rows = append(rows, [6]any{id, h.subject, h.from, h.rcpt, bodies[id], want})
	}
	j, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qUpsertTexts, string(j)); err != nil {
		return fmt.Errorf("upsert texts: %w", err)
	}
	return nil
}

// hexHash is h as SQLite's hex() spells it, empty for the zero hash (no body).
func hexHash(h Hash) string {
	if h == (Hash{}) {
		return ""
	}
	return strings.ToUpper(fmt.Sprintf("%x", h[:]))
}
