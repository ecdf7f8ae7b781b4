package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Terms shorter than a trigram. The trigram index holds every three
// characters of a column from its first to its third-last, so a term of
// two characters occurs either at the start of an indexed trigram — an
// instance of one of the index's terms that begin with it, listed by the
// fts5vocab table fts_occurs (https://sqlite.org/fts5.html §8) — or as the
// column's last two characters, which the texts_tail_* expression indexes
// find.

// maxOccurs bounds the index entries a short term's lookup reads; a term
// with more is too common for the lookup to pay, and is scanned.
const maxOccurs = 20_000

// searchBounded runs a query with terms: it walks the newest shortWalk rows
// of the scope, and on when the rate of matches says a page is near; then,
// for the older rows, the index drives: the FTS hits of the long terms, or
// the candidates of a short term (or a scan when no term has any).
func (s *Store) searchBounded(ctx context.Context, sc scope, q Query, limit int, force searchPlan) ([]Message, error) {
	var out []Message
	cut := Cursor{Date: 1 << 62} // planHits: every row is older
	if sc.after != nil {
		cut = *sc.after
	}
	// A long term LIKE cannot check would make each walk read all its hits.
	indexOnly := slices.ContainsFunc(q.Terms, func(t Term) bool { return !isShort(t) && !likeExact(t.Text) })
	if force != planHits && !indexOnly {
		var err error
		var done bool
		if out, cut, done, err = s.shortWalk(ctx, sc, q, limit, shortWalk); err != nil || done {
			return out, err
		}
		// Matches but not a page yet: when the rate seen says a few more
		// walks fill it, walking on costs less than the lookup.
		if len(out) > 0 {
			if need := (limit - len(out)) * shortWalk / len(out); need <= 8*shortWalk {
				next := sc
				next.after = &cut
				var more []Message
				if more, cut, done, err = s.shortWalk(ctx, next, q, limit-len(out), 2*need+100); err != nil || done {
					return append(out, more...), err
				}
				out = append(out, more...)
			}
		}
	}
	rest := sc
	rest.after = &cut
	if match, ok := ftsMatch(q); ok {
		more, err := s.query(ctx, hitsSQL(rest, q, match, limit-len(out)))
		return append(out, more...), err
	}
	cands, exact, ok, err := s.shortCandidates(ctx, q)
	if err != nil {
		return nil, err
	}
	var more []Message
	if ok {
		more, err = s.query(ctx, candidatesSQL(rest, q, cands, exact, limit-len(out)))
	} else {
		more, err = s.query(ctx, walkSQL(rest, q, limit-len(out)))
	}
	return append(out, more...), err
}

// shortWalk checks the newest n rows of the scope and returns what
// matched, the position of the last row it looked at, and done when no
// other row can be needed (a full page, or a scope no bigger than the walk).
func (s *Store) shortWalk(ctx context.Context, sc scope, q Query, limit, n int) ([]Message, Cursor, bool, error) {
	index, cond, args := sc.walkIndex()
	cq := `SELECT m.sort_date, m.id FROM messages m INDEXED BY ` + index + ` WHERE ` + cond
	if sc.after != nil {
		cq += ` AND (m.sort_date, m.id) < (?, ?)`
		args = append(args, sc.after.Date, sc.after.ID)
	}
	cq += ` ORDER BY m.sort_date DESC, m.id DESC LIMIT 1 OFFSET ?`
	var cut Cursor
	err := s.r.QueryRowContext(ctx, cq, append(args, n-1)...).Scan(&cut.Date, &cut.ID)
	if errors.Is(err, sql.ErrNoRows) {
		out, err := s.query(ctx, walkSQL(sc, q, limit))
		return out, cut, true, err
	}
	if err != nil {
		return nil, cut, false, err
	}
	out, err := s.query(ctx, walkSQL(sc, q, limit, func(w *sqlWhere) {
		w.add(`(m.sort_date, m.id) >= (?, ?)`, cut.Date, cut.ID)
	}))
	return out, cut, err != nil || len(out) >= limit, err
}

// shortCandidates returns the IDs of the texts one of q's terms may occur
// in (a superset, in LIKE's sense; exactly those when exact: the term has
// no letter that the index and LIKE fold differently), and false when no
// term of q can be looked up (one character, letters LIKE does not fold as
// the index does, or more than maxOccurs entries).
func (s *Store) shortCandidates(ctx context.Context, q Query) (ids []MessageID, exact int, ok bool, err error) {
	for i, t := range q.Terms {
		if utf8.RuneCountInString(t.Text) != 2 || !likeExact(t.Text) {
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
		// Verbatim the expressions of the texts_tail_* indexes.
		q += ` UNION ALL SELECT id FROM texts WHERE lower(substr(` + c + `, -2)) = ?`
		args = append(args, k)
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
// folds.
func migrateSearchShort(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE VIRTUAL TABLE fts_occurs USING fts5vocab(fts, instance)`,
		`CREATE INDEX texts_tail_subject ON texts(lower(substr(subject, -2)))`,
		`CREATE INDEX texts_tail_from ON texts(lower(substr(from_text, -2)))`,
		`CREATE INDEX texts_tail_rcpt ON texts(lower(substr(rcpt_text, -2)))`,
		`CREATE INDEX texts_tail_body ON texts(lower(substr(body, -2)))`,
	)
}
