package batch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Status is where a row is, as an admin console shows it.
type Status string

const (
	StatusQueued    Status = "queued"    // not started, or stopped before it finished
	StatusRunning   Status = "running"   // migrating now
	StatusSucceeded Status = "succeeded" // migrated and verified
	StatusFailed    Status = "failed"    // the last attempt failed; the next run retries it
	StatusGivenUp   Status = "given-up"  // failed MaxAttempts runs in a row; skipped until retried on purpose
)

// Statuses in display order.
var Statuses = []Status{StatusQueued, StatusRunning, StatusSucceeded, StatusFailed, StatusGivenUp}

// ErrKind says why a row failed, for package ui to explain.
type ErrKind string

const (
	ErrNone        ErrKind = ""
	ErrSource      ErrKind = "source"       // the old mailbox could not be reached or logged in to (Problem says how)
	ErrDest        ErrKind = "destination"  // the new mailbox could not be reached or logged in to
	ErrNotVerified ErrKind = "not-verified" // the run ended but some messages are not on the destination
	ErrOther       ErrKind = "other"        // anything else (Detail)
)

// RowState is one row's status and counts. Message counts are the last
// attempt's, summed over folders.
type RowState struct {
	Key      string `json:"key"`
	Source   string `json:"source"`
	Dest     string `json:"destination"`
	Status   Status `json:"status"`
	Attempts int    `json:"attempts"` // runs started for this row
	// Failures counts failed runs in a row; it reaches MaxAttempts for
	// StatusGivenUp and is reset by a success.
	Failures   int     `json:"failures"`
	Total      int     `json:"total"` // messages in scope on the source
	Done       int     `json:"done"`  // decided so far (while running)
	Copied     int     `json:"copied"`
	Already    int     `json:"already_there"`
	Previously int     `json:"previously"`
	Failed     int     `json:"failed"`
	Bytes      int64   `json:"bytes"` // in scope on the source
	Err        ErrKind `json:"error_kind,omitempty"`
	// Problem is account.Diagnose's code for ErrSource and ErrDest.
	Problem string `json:"problem,omitempty"`
	// Detail is the underlying error's text (untrusted: may hold server
	// words).
	Detail  string    `json:"detail,omitempty"`
	Report  string    `json:"report,omitempty"` // the last run's report file
	Updated time.Time `json:"updated"`
}

// Counts is the status table's header line: rows per status.
type Counts struct {
	All int
	By  map[Status]int
}

// State is a batch's saved status, keyed by Row.Key.
type State struct {
	Rows map[string]*RowState `json:"rows"`
}

// StatePath is the state file inside a batch's directory.
func StatePath(dir string) string { return filepath.Join(dir, "state.json") }

// LoadState reads dir's state; a missing file is an empty state.
func LoadState(dir string) (*State, error) {
	st := &State{Rows: map[string]*RowState{}}
	data, err := os.ReadFile(StatePath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("batch: state: %w", err)
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("batch: state %s: %w", StatePath(dir), err)
	}
	if st.Rows == nil {
		st.Rows = map[string]*RowState{}
	}
	return st, nil
}

// save writes the state atomically (temporary file, then rename), so a
// crash leaves the old state or the new one.
func (s *State) save(dir string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("batch: state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".state-*")
	if err != nil {
		return fmt.Errorf("batch: state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("batch: state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("batch: state: %w", err)
	}
	if err := os.Rename(tmp.Name(), StatePath(dir)); err != nil {
		return fmt.Errorf("batch: state: %w", err)
	}
	return nil
}

// Table is the rows' states in CSV order (a row never run is queued) and
// the counts per status.
func (s *State) Table(rows []Row) ([]RowState, Counts) {
	out := make([]RowState, 0, len(rows))
	c := Counts{All: len(rows), By: map[Status]int{}}
	for _, r := range rows {
		rs := RowState{Key: r.Key(), Source: r.Source, Dest: r.Dest, Status: StatusQueued}
		if have := s.Rows[r.Key()]; have != nil {
			rs = *have
		}
		c.By[rs.Status]++
		out = append(out, rs)
	}
	return out, c
}
