package store

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field is where a search term must occur.
type Field int

const (
	FieldAny     Field = iota // subject, addresses or body
	FieldFrom                 // From name or address
	FieldTo                   // To and Cc names or addresses
	FieldSubject              // Subject
)

// Term is one substring a message must contain (all terms must match).
// Matching is case-insensitive and substring-based in every script, so
// Chinese needs no word breaks: 搬家 finds 邮箱搬家指南.
type Term struct {
	Field Field
	Text  string
	// Phrase is true when the term was quoted; it then may contain spaces.
	Phrase bool
}

// Query is a parsed search. The zero Query matches everything.
type Query struct {
	Terms         []Term
	HasAttachment bool
	Unread        bool      // is:unread
	Read          bool      // is:read
	Flagged       bool      // is:flagged
	After         time.Time // inclusive: date ≥ After
	Before        time.Time // exclusive: date < Before
	Folder        string    // folder:NAME — decoded name, raw name or role (inbox, sent…), case-insensitive
}

// QueryError reports a malformed search query; Pos is a byte offset into it.
type QueryError struct {
	Pos int
	Msg string
}

func (e *QueryError) Error() string { return fmt.Sprintf("store: query at %d: %s", e.Pos, e.Msg) }

// ParseQuery parses the search language of `magpie search` and the TUI, with
// dates in the local time zone. See ParseQueryIn.
func ParseQuery(s string) (Query, error) { return ParseQueryIn(s, time.Local) }

// ParseQueryIn parses a search query; dates are midnight in loc.
//
//	from:ADDR  to:ADDR  subject:TEXT    term in that field (to: also covers Cc)
//	has:attachment
//	is:unread  is:read  is:flagged
//	after:YYYY-MM-DD (inclusive)  before:YYYY-MM-DD (exclusive)
//	folder:NAME                       decoded name, server name or role (inbox, sent…)
//	"a phrase"  word  中文            free text in subject, addresses or body
//
// Values may be quoted: subject:"quarterly report". Words are ANDed.
// A key this language does not know (e.g. "re:" or a URL) is plain text.
// Malformed values and unterminated quotes are *QueryError.
func ParseQueryIn(s string, loc *time.Location) (Query, error) {
	var q Query
	i := 0
	for {
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i >= len(s) {
			return q, nil
		}
		start := i
		key, val, quoted, next, err := lexToken(s, i)
		if err != nil {
			return q, err
		}
		i = next
		if err := q.apply(key, val, quoted, start, loc); err != nil {
			return q, err
		}
	}
}

// lexToken reads one token at i: [key:]value where value is a bare word or a
// "quoted string" ("" inside quotes is a literal quote).
func lexToken(s string, i int) (key, val string, quoted bool, next int, err error) {
	if s[i] != '"' {
		j := i
		for j < len(s) && s[j] != ':' && s[j] != '"' {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		if j < len(s) && s[j] == ':' && j > i {
			key = strings.ToLower(s[i:j])
			if !knownKey(key) {
				key = ""
			} else {
				i = j + 1
			}
		}
	}
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		j := i + 1
		for {
			if j >= len(s) {
				return "", "", false, 0, &QueryError{Pos: i, Msg: "unterminated quote"}
			}
			if s[j] == '"' {
				if j+1 < len(s) && s[j+1] == '"' {
					b.WriteByte('"')
					j += 2
					continue
				}
				return key, b.String(), true, j + 1, nil
			}
			b.WriteByte(s[j])
			j++
		}
	}
	j := i
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += n
	}
	return key, s[i:j], false, j, nil
}

func knownKey(k string) bool {
	switch k {
	case "from", "to", "subject", "has", "is", "before", "after", "folder":
		return true
	}
	return false
}

func (q *Query) apply(key, val string, quoted bool, pos int, loc *time.Location) error {
	if val == "" && key != "" {
		return &QueryError{Pos: pos, Msg: key + ": needs a value"}
	}
	switch key {
	case "":
		if val != "" {
			q.Terms = append(q.Terms, Term{Field: FieldAny, Text: val, Phrase: quoted})
		}
	case "from":
		q.Terms = append(q.Terms, Term{Field: FieldFrom, Text: val, Phrase: quoted})
	case "to":
		q.Terms = append(q.Terms, Term{Field: FieldTo, Text: val, Phrase: quoted})
	case "subject":
		q.Terms = append(q.Terms, Term{Field: FieldSubject, Text: val, Phrase: quoted})
	case "has":
		if !strings.EqualFold(val, "attachment") {
			return &QueryError{Pos: pos, Msg: "has: knows only attachment"}
		}
		q.HasAttachment = true
	case "is":
		switch strings.ToLower(val) {
		case "unread":
			q.Unread = true
		case "read":
			q.Read = true
		case "flagged", "starred":
			q.Flagged = true
		default:
			return &QueryError{Pos: pos, Msg: "is: knows unread, read, flagged"}
		}
	case "before", "after":
		d, err := time.ParseInLocation("2006-01-02", val, loc)
		if err != nil {
			return &QueryError{Pos: pos, Msg: key + ": want YYYY-MM-DD"}
		}
		if key == "before" {
			q.Before = d
		} else {
			q.After = d
		}
	case "folder":
		q.Folder = val
	}
	return nil
}
