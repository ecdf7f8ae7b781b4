// Package batch is the admin mode of the migration (the batch 邮箱搬家 of
// enterprise mail consoles): a CSV file names source and destination
// mailboxes, one per row, and every row is migrated with package migrate,
// several at a time, with a status per row kept in the data directory so a
// re-run finishes only what is not done.
//
// Credentials come per row (a password command for each side) or from one
// delegated admin per side: a Dovecot-style master user ("user*admin" as
// the login name) or a SASL PLAIN authorization identity (RFC 4616 §2), as
// Exchange/Office 365 full-access delegation uses.
//
// This package words nothing for people: errors are typed, statuses are
// codes, and package ui turns them into sentences.
package batch

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
)

// Column names of the CSV header (case-insensitive, any order).
const (
	ColSource         = "source"
	ColDest           = "destination"
	ColSourcePassword = "source_password_cmd"
	ColDestPassword   = "destination_password_cmd"
)

// Row is one mailbox to migrate.
type Row struct {
	Line   int    // 1-based line in the CSV, for messages
	Source string // the old mailbox's address
	Dest   string // the new mailbox's address
	// SourcePasswordCmd and DestPasswordCmd, when set, give that side's
	// own password (run with sh -c, first output line); when empty the
	// side's admin logs in for the row.
	SourcePasswordCmd string
	DestPasswordCmd   string
}

// Key identifies the row in the saved state: both addresses, lower case.
func (r Row) Key() string { return strings.ToLower(r.Source) + " → " + strings.ToLower(r.Dest) }

// Problem says what is wrong with a CSV cell.
type Problem string

const (
	ProblemSyntax        Problem = "syntax"         // the CSV itself is malformed
	ProblemNoHeader      Problem = "no-header"      // the file is empty
	ProblemUnknownColumn Problem = "unknown-column" // a header names no known column
	ProblemDupColumn     Problem = "dup-column"     // a column is named twice
	ProblemMissingColumn Problem = "missing-column" // source or destination has no column
	ProblemEmpty         Problem = "empty"          // a required cell is empty
	ProblemAddress       Problem = "address"        // not an e-mail address
	ProblemDupRow        Problem = "dup-row"        // the source or pair appears twice
	ProblemSameAddress   Problem = "same-address"   // source and destination are the same mailbox
	ProblemNoCredentials Problem = "no-credentials" // no password command and no admin for that side
	ProblemNoRows        Problem = "no-rows"        // a header and nothing else
)

// CSVError is a problem at a place in the CSV. Line and Column are
// 1-based; Column is the field's number (0: the whole line), except for
// ProblemSyntax where it is the character position the csv package gives.
// Name is the column's header name when known; Value the offending text
// (for ProblemDupRow, the line of the first occurrence).
type CSVError struct {
	Line, Column int
	Name         string
	Problem      Problem
	Value        string
	Err          error // the csv package's error for ProblemSyntax
}

func (e *CSVError) Error() string {
	s := fmt.Sprintf("batch: csv line %d column %d", e.Line, e.Column)
	if e.Name != "" {
		s += " (" + e.Name + ")"
	}
	s += ": " + string(e.Problem)
	if e.Value != "" {
		s += fmt.Sprintf(" %q", e.Value)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CSVError) Unwrap() error { return e.Err }

// Parse reads the CSV: a header row naming the columns (source and
// destination required, the password-command columns optional), then one
// row per mailbox. Lines starting with # are comments; blank lines are
// skipped. The first problem is returned as a *CSVError.
func Parse(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &CSVError{Line: 1, Problem: ProblemNoHeader}
	}
	if err != nil {
		return nil, syntaxErr(err)
	}
	hline, _ := cr.FieldPos(0)
	cols := map[string]int{}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // a BOM from spreadsheet exports
		switch name {
		case ColSource, ColDest, ColSourcePassword, ColDestPassword:
		default:
			return nil, &CSVError{Line: hline, Column: i + 1, Problem: ProblemUnknownColumn, Value: h}
		}
		if _, dup := cols[name]; dup {
			return nil, &CSVError{Line: hline, Column: i + 1, Name: name, Problem: ProblemDupColumn}
		}
		cols[name] = i
	}
	for _, need := range []string{ColSource, ColDest} {
		if _, ok := cols[need]; !ok {
			return nil, &CSVError{Line: hline, Name: need, Problem: ProblemMissingColumn}
		}
	}
	var rows []Row
	seenSrc, seenDst := map[string]int{}, map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(head) {
			return nil, &CSVError{Line: line, Column: len(head) + 1, Problem: ProblemUnknownColumn, Value: rec[len(head)]}
		}
		cell := func(name string) (string, int) {
			i, ok := cols[name]
			if !ok || i >= len(rec) {
				return "", i + 1
			}
			return strings.TrimSpace(rec[i]), i + 1
		}
		row := Row{Line: line}
		for _, c := range []struct {
			name string
			to   *string
		}{{ColSource, &row.Source}, {ColDest, &row.Dest}} {
			v, col := cell(c.name)
			if v == "" {
				return nil, &CSVError{Line: line, Column: col, Name: c.name, Problem: ProblemEmpty}
			}
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v || !strings.Contains(v, "@") {
				return nil, &CSVError{Line: line, Column: col, Name: c.name, Problem: ProblemAddress, Value: v}
			}
			*c.to = v
		}
		row.SourcePasswordCmd, _ = cell(ColSourcePassword)
		row.DestPasswordCmd, _ = cell(ColDestPassword)
		if strings.EqualFold(row.Source, row.Dest) {
			_, col := cell(ColDest)
			return nil, &CSVError{Line: line, Column: col, Name: ColDest, Problem: ProblemSameAddress, Value: row.Dest}
		}
		// One mailbox migrated by two rows at once would race on it.
		for _, c := range []struct {
			name string
			addr string
			seen map[string]int
		}{{ColSource, row.Source, seenSrc}, {ColDest, row.Dest, seenDst}} {
			k := strings.ToLower(c.addr)
			if first, dup := c.seen[k]; dup {
				_, col := cell(c.name)
				return nil, &CSVError{Line: line, Column: col, Name: c.name, Problem: ProblemDupRow, Value: fmt.Sprint(first)}
			}
			c.seen[k] = line
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &CSVError{Line: hline + 1, Problem: ProblemNoRows}
	}
	return rows, nil
}

func syntaxErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Line: pe.Line, Column: pe.Column, Problem: ProblemSyntax, Err: pe.Err}
	}
	return &CSVError{Problem: ProblemSyntax, Err: err}
}
