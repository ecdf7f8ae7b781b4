package migrate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
)

// Verdict is a folder's result after verification.
type Verdict string

const (
	// VerdictOK: every source message is on the destination, as many
	// times as on the source (content-hash multisets).
	VerdictOK Verdict = "ok"
	// VerdictIncomplete: some source messages are missing on the
	// destination (see Failures and Missing).
	VerdictIncomplete Verdict = "incomplete"
	// VerdictError: the folder could not be migrated or verified (Err).
	VerdictError Verdict = "error"
	// VerdictInterrupted: the run stopped before the folder was verified.
	VerdictInterrupted Verdict = "interrupted"
)

// Failure is one message the destination refused.
type Failure struct {
	UID       imap.UID   `json:"uid"`
	MessageID string     `json:"message_id,omitempty"`
	Size      int64      `json:"size"`
	Reason    FailReason `json:"reason"`
	Detail    string     `json:"detail"` // the server's words (untrusted text)
}

// FolderReport is one folder's outcome.
type FolderReport struct {
	Source  string       `json:"source"` // "/" between levels
	Dest    string       `json:"destination"`
	Role    account.Role `json:"role,omitempty"`
	Renamed RenameReason `json:"renamed,omitempty"`
	// SourceCount is the messages in scope on the source; DestCount all
	// messages in the destination folder, when verified.
	SourceCount int `json:"source_count"`
	DestCount   int `json:"destination_count"`
	// Copied and Already count this run; Previously counts messages an
	// earlier run already settled.
	Copied     int       `json:"copied"`
	Already    int       `json:"already_there"`
	Previously int       `json:"previously"`
	Failed     int       `json:"failed"`
	Failures   []Failure `json:"failures,omitempty"`
	// Missing is the source messages (by content hash, with multiplicity)
	// not on the destination; Extra the destination messages without a
	// source counterpart (mail that was there before, for instance).
	Missing int `json:"missing"`
	Extra   int `json:"extra"`
	// DroppedKeywords are keywords the destination cannot store
	// (PERMANENTFLAGS without \*, RFC 3501 §7.1).
	DroppedKeywords []string `json:"dropped_keywords,omitempty"`
	// Unchanged says the folder was verified by an earlier run (at
	// VerifiedAt) and neither side changed since: the same UIDVALIDITY,
	// UIDNEXT and MESSAGES (STATUS, RFC 3501 §6.3.10) on both, so the
	// same messages, and that run's verdict and counts stand.
	Unchanged  bool      `json:"unchanged,omitempty"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	Verdict    Verdict   `json:"verdict"`
	Err        string    `json:"error,omitempty"`
	err        error
}

// Error is the folder's failure, if any (nil for VerdictOK and
// VerdictIncomplete).
func (f FolderReport) Error() error { return f.err }

// Report is a whole run's outcome.
type Report struct {
	Source  string    `json:"source"`
	Dest    string    `json:"destination"`
	Started time.Time `json:"started"`
	// Copied is when the copy phase ended: every message in scope on the
	// destination (zero when the run stopped before). The folders
	// copied first may be verified by then; Finished minus Copied is
	// the verification left.
	Copied      time.Time      `json:"copied,omitzero"`
	Finished    time.Time      `json:"finished"`
	Folders     []FolderReport `json:"folders"`
	Interrupted bool           `json:"interrupted"`
}

// Verified reports whether every folder's verdict is OK and the run was
// not interrupted.
func (r Report) Verified() bool {
	if r.Interrupted {
		return false
	}
	for _, f := range r.Folders {
		if f.Verdict != VerdictOK {
			return false
		}
	}
	return true
}

// Totals sums the folders.
func (r Report) Totals() FolderReport {
	var t FolderReport
	for _, f := range r.Folders {
		t.SourceCount += f.SourceCount
		t.DestCount += f.DestCount
		t.Copied += f.Copied
		t.Already += f.Already
		t.Previously += f.Previously
		t.Failed += f.Failed
		t.Missing += f.Missing
		t.Extra += f.Extra
	}
	return t
}

// save writes the report as indented JSON, atomically.
func (r Report) save(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("migrate: report: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return fmt.Errorf("migrate: report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("migrate: report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("migrate: report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("migrate: report: %w", err)
	}
	return nil
}

// LoadReport reads a report saved by Run.
func LoadReport(path string) (Report, error) {
	var r Report
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("migrate: report: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("migrate: report %s: %w", path, err)
	}
	return r, nil
}
