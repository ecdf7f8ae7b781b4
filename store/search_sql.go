package store

import (
	"strconv"
	"strings"
)

// The SQL of Search, built only from fixed fragments, with every user value
// bound as a parameter.

// scope is the rows one account's search looks at.
type scope struct {
	acct    AccountID
	folders []FolderID // from folder:, resolved; nil: the whole account
	after   *Cursor    // keyset: rows older than this
	flagged bool       // is:flagged: walk the flagged rows only
}

// walkIndex is the date index a walk of the scope runs down, and its
// condition: the flagged rows' partial index for is:flagged (few rows:
// the predicate is repeated verbatim so SQLite may use it), one folder's
// own index when folder: names one, else the account's.
func (sc scope) walkIndex() (index, cond string, args []any) {
	if sc.flagged {
		return "messages_flagged", `m.account_id = ? AND (m.flags & 4) != 0`, []any{sc.acct}
	}
	if len(sc.folders) == 1 {
		return "messages_folder_date", `m.folder_id = ?`, []any{sc.folders[0]}
	}
	return "messages_account_date", `m.account_id = ?`, []any{sc.acct}
}

type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(c string, a ...any) {
	w.conds = append(w.conds, c)
	w.args = append(w.args, a...)
}

func (w *sqlWhere) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}

// filters adds the scope and the query's conditions that are columns of
// messages (cheap: checked before any text).
// With noIndex the scope is not offered as an index (the FTS hits drive).
func (w *sqlWhere) filters(sc scope, q Query, noIndex bool) {
	index, cond, args := sc.walkIndex()
	if noIndex {
		cond = "+" + cond // unary +: not an index constraint
	}
	w.add(cond, args...)
	if index != "messages_folder_date" && len(sc.folders) > 0 {
		w.add(`m.folder_id IN (SELECT value FROM json_each(?))`, jsonInts(sc.folders))
	}
	if sc.after != nil {
		w.add(`(m.sort_date, m.id) < (?, ?)`, sc.after.Date, sc.after.ID)
	}
	if q.HasAttachment {
		w.add(`m.has_attachment = 1`)
	}
	if q.Unread {
		w.add(`(m.flags & 1) = 0`)
	}
	if q.Read {
		w.add(`(m.flags & 1) != 0`)
	}
	if q.Flagged {
		w.add(`(m.flags & 4) != 0`)
	}
	if !q.After.IsZero() {
		w.add(`m.sort_date >= ?`, q.After.Unix())
	}
	if !q.Before.IsZero() {
		w.add(`m.sort_date < ?`, q.Before.Unix())
	}
}

// likeTerm adds a LIKE check of a term over its texts columns.
func (w *sqlWhere) likeTerm(t Term) {
	cols := textColumns[t.Field]
	p := likePattern(t.Text)
	ors := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		ors[i] = `t.` + c + ` LIKE ? ESCAPE '\'`
		args[i] = p
	}
	w.add(`EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id AND (`+strings.Join(ors, ` OR `)+`))`, args...)
}

// walkTerm adds the per-row check of a long term for a walk: LIKE, and the
// index for the rows LIKE cannot decide (see Search). The index's hits are
// read once per statement, when the first such row comes (a non-correlated
// IN is materialized on first use), never per row: an FTS5 lookup of one
// rowid costs milliseconds.
func (w *sqlWhere) walkTerm(t Term) {
	match := termMatch(t.Field, ftsString(t.Text))
	if !likeExact(t.Text) {
		w.add(`m.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)`, match)
		return
	}
	cols := textColumns[t.Field]
	p := likePattern(t.Text)
	var likes, globs []string
	var args, gargs []any
	for _, c := range cols {
		likes = append(likes, `t.`+c+` LIKE ? ESCAPE '\'`)
		args = append(args, p)
		globs = append(globs, `t.`+c+` GLOB ?`)
		gargs = append(gargs, foldGlob)
	}
	cond := strings.Join(likes, ` OR `)
	if hasASCIILetter(t.Text) {
		cond += ` OR ((` + strings.Join(globs, ` OR `) + `) AND t.id IN (SELECT rowid FROM fts WHERE fts MATCH ?))`
		args = append(append(args, gargs...), match)
	}
	w.add(`EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id AND (`+cond+`))`, args...)
}

// walkSQL walks the scope's date index newest first, checks every
// condition on each row and stops at limit.
func walkSQL(sc scope, q Query, limit int, extra ...func(*sqlWhere)) stmt {
	var w sqlWhere
	w.filters(sc, q, false)
	for _, e := range extra {
		e(&w)
	}
	for _, t := range q.Terms {
		switch {
		case t.Text == "":
		case isShort(t):
			w.likeTerm(t)
		default:
			w.walkTerm(t)
		}
	}
	index, _, _ := sc.walkIndex()
	return stmt{`SELECT ` + msgCols + ` FROM messages m INDEXED BY ` + index + w.String() +
		` ORDER BY m.sort_date DESC, m.id DESC LIMIT ?`, append(w.args, limit)}
}

// hitsSQL drives the query from the FTS hits of match, looks each up and
// sorts them by date.
func hitsSQL(sc scope, q Query, match string, limit int) stmt {
	var w sqlWhere
	w.add(`m.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)`, match)
	w.filters(sc, q, true)
	for _, t := range q.Terms {
		if t.Text != "" && isShort(t) {
			w.likeTerm(t)
		}
	}
	return w.sorted(limit)
}

func jsonInts[T ~int64](ids []T) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(id), 10))
	}
	b.WriteByte(']')
	return b.String()
}

// sorted selects the rows of w that an index lookup found, newest first, at
// most limit: sorting only their (date, ID) and reading the whole row of
// the page's rows alone (a sorter holding every column of thousands of
// candidates costs more than the lookups).
func (w *sqlWhere) sorted(limit int) stmt {
	return stmt{`SELECT ` + msgCols + ` FROM messages m WHERE m.id IN (SELECT m.id FROM messages m` + w.String() +
		` ORDER BY m.sort_date DESC, m.id DESC LIMIT ?) ORDER BY m.sort_date DESC, m.id DESC`, append(w.args, limit)}
}

// headerColumns are the messages columns a term of each field is looked
// for in when the row has no texts row yet (fixed names, never input):
// the columns its texts row is made of (see headerTexts).
var headerColumns = [...][]string{
	FieldAny:     {"subject", "from_name", "from_addr", "to_list", "cc_list"},
	FieldFrom:    {"from_name", "from_addr"},
	FieldTo:      {"to_list", "cc_list"},
	FieldSubject: {"subject"},
}

// unindexedSQL selects the scope's rows that wait for the index without a
// texts row (new rows until the index stage writes it: see texts.go),
// matching every term by LIKE over their headers, newest first, at most
// limit. The rows waiting are few (the index keeps up with the
// downloads) and found through their partial index. A term matches as
// LIKE does (ASCII case folded) and within one address's name or address
// alone; once the row is indexed, as Search says.
func unindexedSQL(sc scope, q Query, limit int) stmt {
	var w sqlWhere
	w.add(`m.account_id = ? AND m.indexed = 0`, sc.acct)
	w.add(`NOT EXISTS (SELECT 1 FROM texts t WHERE t.id = m.id)`)
	w.filters(sc, q, true)
	for _, t := range q.Terms {
		if t.Text == "" {
			continue
		}
		cols := headerColumns[t.Field]
		p := likePattern(t.Text)
		ors := make([]string, len(cols))
		args := make([]any, len(cols))
		for i, c := range cols {
			ors[i] = `m.` + c + ` LIKE ? ESCAPE '\'`
			args[i] = p
		}
		w.add(`(`+strings.Join(ors, ` OR `)+`)`, args...)
	}
	return stmt{`SELECT ` + msgCols + ` FROM messages m INDEXED BY messages_unindexed` + w.String() +
		` ORDER BY m.sort_date DESC, m.id DESC LIMIT ?`, append(w.args, limit)}
}
