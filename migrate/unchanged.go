package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// A folder that a run verified and that has not changed on either side
// since is not listed, copied or verified again: a re-run with nothing to
// do costs two STATUS commands per folder (RFC 3501 §6.3.10).
//
// The proof: a mailbox's messages are named for good by UIDVALIDITY and
// UID, and their bytes never change (RFC 3501 §2.3.1.1). UIDs are given
// in ascending order, so while UIDNEXT stays the same no message was
// added, and with no message added, an unchanged MESSAGES means none was
// expunged. Equal UIDVALIDITY, UIDNEXT and MESSAGES on both sides thus
// mean both hold the very messages the verification compared, and its
// verdict still holds. The snapshot of the source is taken before the
// catch-up pass lists it, that of the destination after the catch-up
// pass and before the verification reads it: mail arriving in between
// changes UIDNEXT and the next run looks again.
//
// Flags changed since are not looked at: a migration copies flags once,
// it does not synchronise them.

// mailboxStatus is the part of STATUS that proves a mailbox unchanged.
type mailboxStatus struct {
	UIDValidity uint32 `json:"uidvalidity"`
	UIDNext     uint32 `json:"uidnext"`
	Messages    uint32 `json:"messages"`
}

// folderState is a folder as a run verified it, kept in the journal.
type folderState struct {
	Since       string        `json:"since,omitempty"` // Options.Since, YYYY-MM-DD
	DestFolder  string        `json:"destination"`
	Src         mailboxStatus `json:"source_status"`
	Dst         mailboxStatus `json:"destination_status"`
	SourceCount int           `json:"source_count"`
	SourceSize  int64         `json:"source_size"`
	DestCount   int           `json:"destination_count"`
	Extra       int           `json:"extra"`
	Dropped     []string      `json:"dropped_keywords,omitempty"`
	VerifiedAt  time.Time     `json:"verified_at"`
}

// errNoStatus means a side cannot tell a folder's status (a POP3 source).
var errNoStatus = errors.New("migrate: no mailbox status")

// statusOf asks c for name's UIDVALIDITY, UIDNEXT and MESSAGES.
func statusOf(c *imapclient.Client, name string) (mailboxStatus, error) {
	st, err := statusAll(c, []string{name})
	if err != nil {
		return mailboxStatus{}, err
	}
	if v, ok := st[name]; ok {
		return v, nil
	}
	return mailboxStatus{}, fmt.Errorf("%w: %q", errNoStatus, name)
}

// statusAll asks c for the status of every name with all the STATUS
// commands sent before the first answer is awaited (RFC 3501 §5.5): one
// round trip, however many folders. A name the server answers NO for, or
// without all three items, is left out; a lost connection is an error.
func statusAll(c *imapclient.Client, names []string) (map[string]mailboxStatus, error) {
	opts := &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true}
	cmds := make([]*imapclient.StatusCommand, len(names))
	for i, n := range names {
		cmds[i] = c.Status(n, opts)
	}
	out := map[string]mailboxStatus{}
	var lost error
	for i, cmd := range cmds {
		d, err := cmd.Wait()
		var ie *imap.Error
		switch {
		case err != nil && !errors.As(err, &ie):
			lost = fmt.Errorf("migrate: status %q: %w", names[i], err)
		case err == nil && d.NumMessages != nil && d.UIDNext != 0 && d.UIDValidity != 0:
			out[names[i]] = mailboxStatus{UIDValidity: d.UIDValidity, UIDNext: uint32(d.UIDNext), Messages: *d.NumMessages}
		}
	}
	return out, lost
}

func sinceKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// matches reports whether st describes the folder as both sides have it
// now, for the same scope and destination.
func (st folderState) matches(since time.Time, dest string, src, dst mailboxStatus) bool {
	return st.Since == sinceKey(since) && st.DestFolder == dest && st.Src == src && st.Dst == dst
}

// folderState returns the state the last verified run left for srcFolder.
func (j *Journal) folderState(ctx context.Context, srcFolder string) (folderState, bool, error) {
	var raw string
	err := j.db.QueryRowContext(ctx, `SELECT state FROM folder_states WHERE src_folder = ?`, srcFolder).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return folderState{}, false, nil
	}
	if err != nil {
		return folderState{}, false, fmt.Errorf("migrate: journal read: %w", err)
	}
	var st folderState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return folderState{}, false, nil // unreadable: as if none, the folder is looked at again
	}
	return st, true, nil
}

// putFolderState records st for srcFolder.
func (j *Journal) putFolderState(ctx context.Context, srcFolder string, st folderState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("%w write: %w", errJournal, err)
	}
	if _, err := j.db.ExecContext(ctx, `INSERT OR REPLACE INTO folder_states(src_folder, state) VALUES (?, ?)`, srcFolder, string(raw)); err != nil {
		return fmt.Errorf("%w write: %w", errJournal, err)
	}
	return nil
}

// unchangedFolders returns the journal's state of each folder proven
// unchanged since a run verified it (see the top of this file), by
// source folder; dests names each source folder's destination folder.
// The statuses are asked with one pipelined round trip per side, and only
// for folders the journal has a state of. Any failure to tell means not
// unchanged: the folder is then migrated and verified as usual.
func unchangedFolders(ctx context.Context, j *Journal, sc source, dc *imapclient.Client, dests map[string]string, since time.Time) map[string]folderState {
	out := map[string]folderState{}
	if j == nil {
		return out
	}
	states := map[string]folderState{}
	var srcNames, dstNames []string
	for src, dst := range dests {
		st, ok, err := j.folderState(ctx, src)
		if err != nil || !ok || st.DestFolder != dst || st.Since != sinceKey(since) {
			continue
		}
		states[src] = st
		srcNames, dstNames = append(srcNames, src), append(dstNames, dst)
	}
	if len(states) == 0 {
		return out
	}
	srcSt, err := sc.statusAll(ctx, srcNames)
	if err != nil {
		return out
	}
	dstSt, err := statusAll(dc, dstNames)
	if err != nil {
		return out
	}
	for src, st := range states {
		s, sok := srcSt[src]
		d, dok := dstSt[dests[src]]
		if sok && dok && st.matches(since, dests[src], s, d) {
			out[src] = st
		}
	}
	return out
}

// skipUnchanged fills f's report from st: verified by an earlier run,
// unchanged since.
func (f *folderRun) skipUnchanged(st folderState) {
	f.skip = true
	f.rep.SourceCount, f.rep.DestCount, f.rep.Previously, f.rep.Extra = st.SourceCount, st.DestCount, st.SourceCount, st.Extra
	f.rep.DroppedKeywords = st.Dropped
	f.rep.Unchanged, f.rep.VerifiedAt = true, st.VerifiedAt
	f.rep.Verdict = VerdictOK
	f.progress.Total, f.progress.Done, f.progress.Phase = st.SourceCount, st.SourceCount, PhaseDone
}
