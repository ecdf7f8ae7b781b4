package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SearchRequest scopes a search.
type SearchRequest struct {
	Account AccountID // 0 searches every account
	Query   Query
	Limit   int // ≤ 0 means 100
}

// Search returns the messages matching the query, newest first.
//
// Terms of three or more characters use the FTS5 trigram index. Shorter
// terms cannot (a trigram needs three characters; two-character Chinese words
// such as 邮箱 are common), so they are matched with LIKE over the indexed
// text of the candidate rows: after the other conditions have narrowed them
// when possible, otherwise a scan of the account's texts (measured in
// BenchmarkSearch100k). A phrase is a substring match including its spaces.
//
// Plans: a term with few hits (< denseHits) drives the query from the FTS
// index, looking up each hit; a common term instead walks the account's
// messages newest first, probing the set of hits, and stops at Limit
// (3× faster for a term in every message; BenchmarkSearch100k).
func (s *Store) Search(ctx context.Context, req SearchRequest) ([]Message, error) {
	q, args := compileSearch(req, false)
	if match, ok := ftsMatch(req.Query); ok && req.Account != 0 {
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?)`,
			match, denseHits).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		if n >= denseHits {
			q, args = compileSearch(req, true)
		}
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	return collect(rows, err, "search")
}

// denseHits is where walking by date beats looking up every FTS hit.
const denseHits = 2000

// ftsMatch builds the FTS5 expression for the terms of three or more
// characters, and false when there are none.
func ftsMatch(q Query) (string, bool) {
	var match []string
	for _, t := range q.Terms {
		if utf8.RuneCountInString(t.Text) < 3 {
			continue
		}
		m := ftsString(t.Text)
		if col := ftsColumn[t.Field]; col != "" {
			m = col + " : " + m
		}
		match = append(match, m)
	}
	return strings.Join(match, " AND "), len(match) > 0
}

var ftsColumn = [...]string{FieldAny: "", FieldFrom: "from_text", FieldTo: "rcpt_text", FieldSubject: "subject"}

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

// compileSearch turns a query into SQL text built only from fixed fragments,
// with every user value bound as a parameter.
// With walk (requires req.Account) the date index drives the query.
func compileSearch(req SearchRequest, walk bool) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a...)
	}
	q := req.Query
	walk = walk && req.Account != 0
	if match, ok := ftsMatch(q); ok {
		if walk {
			// Unary + keeps SQLite from driving the query by rowid.
			add(`+m.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)`, match)
		} else {
			add(`m.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)`, match)
		}
	}
	if req.Account != 0 {
		add(`m.account_id = ?`, req.Account)
	}
	if q.Folder != "" {
		add(`m.folder_id IN (SELECT id FROM folders WHERE name = ? COLLATE NOCASE
			OR raw_name = ? COLLATE NOCASE OR role = lower(?))`, q.Folder, q.Folder, q.Folder)
	}
	if q.HasAttachment {
		add(`m.has_attachment = 1`)
	}
	if q.Unread {
		add(`(m.flags & 1) = 0`)
	}
	if q.Read {
		add(`(m.flags & 1) != 0`)
	}
	if q.Flagged {
		add(`(m.flags & 4) != 0`)
	}
	if !q.After.IsZero() {
		add(`m.sort_date >= ?`, q.After.Unix())
	}
	if !q.Before.IsZero() {
		add(`m.sort_date < ?`, q.Before.Unix())
	}
	// Short terms last, so the cheaper conditions above filter first.
	for _, t := range q.Terms {
		if t.Text == "" || utf8.RuneCountInString(t.Text) >= 3 {
			continue
		}
		p := likePattern(t.Text)
		switch t.Field {
		case FieldFrom:
			add(`EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id AND t.from_text LIKE ? ESCAPE '\')`, p)
		case FieldTo:
			add(`EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id AND t.rcpt_text LIKE ? ESCAPE '\')`, p)
		case FieldSubject:
			add(`m.subject LIKE ? ESCAPE '\'`, p)
		default:
			add(`EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id AND (t.subject LIKE ? ESCAPE '\'
				OR t.from_text LIKE ? ESCAPE '\' OR t.rcpt_text LIKE ? ESCAPE '\' OR t.body LIKE ? ESCAPE '\'))`, p, p, p, p)
		}
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 100
	}
	sql := `SELECT ` + msgCols + ` FROM messages m`
	if walk {
		sql += ` INDEXED BY messages_account_date`
	}
	if len(conds) > 0 {
		sql += ` WHERE ` + strings.Join(conds, ` AND `)
	}
	sql += ` ORDER BY m.sort_date DESC, m.id DESC LIMIT ?`
	return sql, append(args, limit)
}
