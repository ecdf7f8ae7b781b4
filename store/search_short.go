package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"
)

// Terms shorter than a trigram. The trigram index holds every three
// characters of a column from its first to its third-last, so a term of
// one or two characters occurs either at the start of an indexed trigram —
// an instance of one of the index's terms that begin with it, listed by the
// fts5vocab table fts_occurs (https://sqlite.org/fts5.html §8) — or in the
// column's last two characters, which the texts_tail_* (last two) and
// texts_last_* (last one) expression indexes find.

// maxOccurs bounds the index entries a short term's lookup reads; a term
// with more is too common for the lookup to pay, and is scanned.
const maxOccurs = 20_000

// shortCandidates returns the IDs of the texts one of q's terms may occur
// in (a superset, in LIKE's sense; exactly those when exact: the term has
// no letter that the index and LIKE fold differently), and false when no
// term of q can be looked up (one character, letters LIKE does not fold as
// the index does, or more than maxOccurs entries).
func (s *Store) shortCandidates(ctx context.Context, q Query) (ids []MessageID, exact int, ok bool, err error) {
	for i, t := range q.Terms {
		if t.Text == "" || utf8.RuneCountInString(t.Text) > 2 || !likeExact(t.Text) {
			continue
		}
		// Index terms are case folded; the term has no letters but ASCII
		// ones, so folding it is ASCII lowering.
		k := asciiLower(t.Text)
		ids, ok, err := s.occurrences(ctx, t.Field, k)
		if err != nil || !ok {
			if err != nil {
				return nil, 0, false, err
			}
			continue
		}
		exact = -1
		if !hasASCIILetter(t.Text) {
			exact = i
		}
		return ids, exact, true, nil
	}
	return nil, 0, false, nil
}

// occurrences lists the texts whose field holds a trigram beginning with k
// or ends with k, and false past maxOccurs.
func (s *Store) occurrences(ctx context.Context, f Field, k string) ([]MessageID, bool, error) {
	st := occurrencesSQL(f, k)
	rows, err := s.r.QueryContext(ctx, st.q, st.args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	seen := map[MessageID]bool{}
	var out []MessageID
	n := 0
	for rows.Next() {
		var id MessageID
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		if n++; n > maxOccurs {
			return nil, false, nil
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, true, rows.Err()
}

func occurrencesSQL(f Field, k string) stmt {
	cols := textColumns[f]
	q := `SELECT doc FROM fts_occurs WHERE term >= ? AND term < ?`
	args := []any{k, k + string(utf8.MaxRune)}
	if f != FieldAny {
		q += ` AND col = ?`
		args = append(args, cols[0])
	}
	q = `SELECT doc FROM (` + q + ` LIMIT ?)`
	args = append(args, maxOccurs+1)
	for _, c := range cols {
		// Verbatim the expressions of the texts_tail_* and texts_last_*
		// indexes. A one-character term may also be the second-last
		// character (a range of the two-character tails) or the last.
		if utf8.RuneCountInString(k) == 2 {
			q += ` UNION ALL SELECT id FROM texts WHERE lower(substr(` + c + `, -2)) = ?`
			args = append(args, k)
			continue
		}
		q += ` UNION ALL SELECT id FROM texts WHERE lower(substr(` + c + `, -2)) >= ? AND lower(substr(` + c + `, -2)) < ?` +
			` UNION ALL SELECT id FROM texts WHERE lower(substr(` + c + `, -1)) = ?`
		args = append(args, k, k+string(utf8.MaxRune), k)
	}
	return stmt{q, args}
}

// candidatesSQL looks up the candidate rows, checks every condition on
// each (but term number exact, which the candidates satisfy) and sorts them
// by date.
func candidatesSQL(sc scope, q Query, cands []MessageID, exact, limit int) stmt {
	var w sqlWhere
	w.add(`m.id IN (SELECT value FROM json_each(?))`, jsonInts(cands))
	w.filters(sc, q, true)
	for i, t := range q.Terms {
		if t.Text != "" && i != exact {
			w.likeTerm(t)
		}
	}
	return w.sorted(limit)
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// migrateSearchShort adds what short terms are looked up by: the index's
// vocabulary by instance (a view of the FTS index, no data of its own) and
// the last two characters of each texts column, ASCII case folded as LIKE
// folds; and the flagged messages by date (is:flagged; a partial index, as
// small as the flagged set).
func migrateSearchShort(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE VIRTUAL TABLE fts_occurs USING fts5vocab(fts, instance)`,
		`CREATE INDEX texts_tail_subject ON texts(lower(substr(subject, -2)))`,
		`CREATE INDEX texts_tail_from ON texts(lower(substr(from_text, -2)))`,
		`CREATE INDEX texts_tail_rcpt ON texts(lower(substr(rcpt_text, -2)))`,
		`CREATE INDEX texts_tail_body ON texts(lower(substr(body, -2)))`,
		`CREATE INDEX texts_last_subject ON texts(lower(substr(subject, -1)))`,
		`CREATE INDEX texts_last_from ON texts(lower(substr(from_text, -1)))`,
		`CREATE INDEX texts_last_rcpt ON texts(lower(substr(rcpt_text, -1)))`,
		`CREATE INDEX texts_last_body ON texts(lower(substr(body, -1)))`,
		`CREATE INDEX messages_flagged ON messages(account_id, sort_date) WHERE (flags & 4) != 0`,
	)
}
