package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchRequest scopes a search.
type SearchRequest struct {
	Account AccountID // 0 searches every account
	Query   Query
	Limit   int // ≤ 0 means 100
	// After, when set, returns the results that follow this cursor (the
	// last result of the previous page), so a list can page a search by
	// keyset instead of asking for every result at once.
	After *Cursor
}

// Search returns the messages matching the query, newest first (ties by
// ID, newest first), at most Limit. It stops once it has Limit rows
// whenever the plan allows, so asking for one page costs one page.
//
// Matching: a term of three or more characters matches as the FTS5
// trigram index does (case and diacritics folded: cafe finds Café). A
// shorter term (two-character Chinese words such as 邮箱 are common) is a
// LIKE substring (ASCII case folded). A phrase matches including its spaces.
//
// Plans (each proven by EXPLAIN in TestSearchPlans, which also checks
// that they answer alike; timed by BenchmarkSearch100k):
//   - a walk: the date index (the account's, or the folder's for one
//     folder:) newest first, each row checked — flags and dates from the
//     row, terms by LIKE over its texts row — stopping at Limit. A term
//     with ASCII letters that LIKE rejects is checked against the index
//     only in a row holding a letter the index folds into ASCII (é, K…),
//     so the walk matches what the index matches (such a row costs one
//     read of the term's hits per statement, as the hits plan does). It covers the newest
//     firstWalk rows, and goes on while the rate of matches says a page
//     is a few walks away: common terms never touch the index;
//   - then, for the older rows, the index drives: the FTS hits of the
//     long terms, or for a query of short terms only the rows of the FTS
//     vocabulary's trigrams that begin with a one- or two-character term
//     plus the texts that end with it (texts_tail_* and texts_last_*
//     indexes: no trigram covers a column's last two characters); only
//     their dates are sorted, and the page's rows read. Short terms with
//     letters LIKE does not fold (É), or in more than maxOccurs index
//     entries, have no lookup: the walk goes on.
func (s *Store) Search(ctx context.Context, req SearchRequest) ([]Message, error) {
	return s.search(ctx, req, planAuto)
}

// searchPlan forces a plan (tests prove that every plan answers alike).
type searchPlan int

const (
	planAuto searchPlan = iota
	planHits            // the index drives (FTS hits, or short-term candidates after the bounded walk)
	planWalk            // the date index drives, without bound
)

// firstWalk is how many of the newest rows a search walks before it turns
// to the index: enough for a common word to fill a page, and cheap (LIKE
// over a thousand texts rows) when the term is rare.
const firstWalk = 1000

func (s *Store) search(ctx context.Context, req SearchRequest, force searchPlan) ([]Message, error) {
	if req.Limit <= 0 {
		req.Limit = 100
	}
	if req.Account != 0 {
		out, err := s.searchAccount(ctx, req, force)
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		return out, nil
	}
	// Every account: each is searched for a page, then the pages merge.
	accts, err := s.accountIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	var all []Message
	for _, a := range accts {
		req.Account = a
		res, err := s.searchAccount(ctx, req, force)
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		all = append(all, res...)
	}
	slices.SortFunc(all, func(a, b Message) int { return b.Cursor().compare(a.Cursor()) })
	return all[:min(len(all), req.Limit)], nil
}

func (c Cursor) compare(d Cursor) int {
	switch {
	case c.Date != d.Date:
		return cmpInt(c.Date, d.Date)
	}
	return cmpInt(int64(c.ID), int64(d.ID))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Store) accountIDs(ctx context.Context) ([]AccountID, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccountID
	for rows.Next() {
		var id AccountID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// searchAccount runs one account's search (req.Account ≠ 0, req.Limit > 0).
func (s *Store) searchAccount(ctx context.Context, req SearchRequest, force searchPlan) ([]Message, error) {
	sc := scope{acct: req.Account, after: req.After, flagged: req.Query.Flagged}
	if req.Query.Folder != "" {
		var err error
		if sc.folders, err = s.folderIDs(ctx, req.Account, req.Query.Folder); err != nil || len(sc.folders) == 0 {
			return nil, err
		}
	}
	q := req.Query
	if !hasTerms(q) {
		return s.query(ctx, walkSQL(sc, q, req.Limit))
	}
	// The rows not in the index yet (see texts.go), matched by their
	// headers; read first: a row gains its texts row (and leaves this
	// set) while the search runs, never loses it, so a row the index
	// stage writes between the two reads is in one of them, or in both
	// (kept once).
	waiting, err := s.query(ctx, unindexedSQL(sc, q, req.Limit))
	if err != nil {
		return nil, err
	}
	var out []Message
	if force == planWalk {
		out, err = s.query(ctx, walkSQL(sc, q, req.Limit))
	} else {
		out, err = s.searchBounded(ctx, sc, q, req.Limit, force)
	}
	if err != nil || len(waiting) == 0 {
		return out, err
	}
	seen := make(map[MessageID]bool, len(out))
	for _, m := range out {
		seen[m.ID] = true
	}
	for _, w := range waiting {
		if !seen[w.ID] {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return b.Cursor().compare(a.Cursor()) })
	return out[:min(len(out), req.Limit)], nil
}

// folderIDs resolves folder:NAME within an account.
func (s *Store) folderIDs(ctx context.Context, acct AccountID, name string) ([]FolderID, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM folders WHERE account_id = ? AND (name = ? COLLATE NOCASE
		OR raw_name = ? COLLATE NOCASE OR role = lower(?)) ORDER BY id`, acct, name, name, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FolderID
	for rows.Next() {
		var id FolderID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// stmt is a statement and its arguments.
type stmt struct {
	q    string
	args []any
}

func (s *Store) query(ctx context.Context, st stmt) ([]Message, error) {
	rows, err := s.r.QueryContext(ctx, st.q, st.args...)
	return collect(rows, err, "search")
}

func hasTerms(q Query) bool {
	return slices.ContainsFunc(q.Terms, func(t Term) bool { return t.Text != "" })
}

func isShort(t Term) bool { return utf8.RuneCountInString(t.Text) < 3 }

// ftsMatch builds the FTS5 expression for the terms of three or more
// characters, and false when there are none.
func ftsMatch(q Query) (string, bool) {
	var match []string
	for _, t := range q.Terms {
		if !isShort(t) {
			match = append(match, termMatch(t.Field, ftsString(t.Text)))
		}
	}
	return strings.Join(match, " AND "), len(match) > 0
}

// termMatch restricts an FTS5 expression to the field's column.
func termMatch(f Field, expr string) string {
	if col := ftsColumn[f]; col != "" {
		return col + " : " + expr
	}
	return expr
}

var ftsColumn = [...]string{FieldAny: "", FieldFrom: "from_text", FieldTo: "rcpt_text", FieldSubject: "subject"}

// textColumns are the texts columns a term of each field is looked for in
// (fixed names, never input).
var textColumns = [...][]string{
	FieldAny:     {"subject", "from_text", "rcpt_text", "body"},
	FieldFrom:    {"from_text"},
	FieldTo:      {"rcpt_text"},
	FieldSubject: {"subject"},
}

// ftsString quotes s as an FTS5 string (https://sqlite.org/fts5.html §3.1):
// inside double quotes everything is literal, and a double quote is doubled.
// No FTS5 operator, column filter or prefix syntax can leak out of it.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// likePattern makes a LIKE pattern matching s as a substring; % _ and \ in s
// are escaped (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// likeExact reports whether, for the term s, SQLite's LIKE (which folds
// ASCII case only) agrees with the trigram index's folding on the term's
// side: every rune is ASCII or has neither case nor a diacritic the index
// removes (Chinese, Japanese, digits, punctuation…).
func likeExact(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		if unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) || unicode.Is(unicode.Mn, r) || foldsToASCII(r) {
			return false
		}
	}
	return true
}

// foldGlob matches a text holding a letter that the index's folding
// (remove_diacritics 1, Unicode case) turns into an ASCII letter: Latin
// letters with diacritics (U+00C0–U+02B8, U+1E00–U+1EFF), the Kelvin and
// Ångström signs. Only such a text can match an ASCII term in the index
// but not by LIKE.
const foldGlob = "*[\u00c0-\u02b8\u1e00-\u1eff\u212a\u212b]*"

func foldsToASCII(r rune) bool {
	return r >= 0xc0 && r <= 0x2b8 || r >= 0x1e00 && r <= 0x1eff || r == 0x212a || r == 0x212b
}

func hasASCIILetter(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) })
}

// searchBounded runs a query with terms: it walks the newest firstWalk rows
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
		if out, cut, done, err = s.walkWindow(ctx, sc, q, limit, firstWalk); err != nil || done {
			return out, err
		}
		// Matches but not a page yet: when the rate seen says a few more
		// walks fill it, walking on costs less than the lookup.
		if len(out) > 0 {
			if need := (limit - len(out)) * firstWalk / len(out); need <= 8*firstWalk {
				next := sc
				next.after = &cut
				var more []Message
				if more, cut, done, err = s.walkWindow(ctx, next, q, limit-len(out), 2*need+100); err != nil || done {
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

// walkWindow checks the newest n rows of the scope and returns what
// matched, the position of the last row it looked at, and done when no
// other row can be needed (a full page, or a scope no bigger than the walk).
func (s *Store) walkWindow(ctx context.Context, sc scope, q Query, limit, n int) ([]Message, Cursor, bool, error) {
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
