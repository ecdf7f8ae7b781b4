package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Flags are the IMAP system flags (RFC 3501 §2.3.2) as a bitmask, so unread
// and flagged queries are index-friendly. Keywords travel separately.
type Flags uint32

const (
	FlagSeen Flags = 1 << iota
	FlagAnswered
	FlagFlagged
	FlagDeleted
	FlagDraft
	FlagForwarded // $Forwarded (RFC 5550 §5.9) is common enough to get a bit
)

// Has reports whether all of g are set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// Address is a decoded mailbox: display name and addr-spec.
type Address struct {
	Name string `json:"n,omitempty"`
	Addr string `json:"a,omitempty"`
}

// Message is one message in one folder. The same mail in two folders is two
// Messages (two IDs) sharing one raw blob.
type Message struct {
	ID      MessageID // set by the store
	Account AccountID // set by the store from Folder
	Folder  FolderID  // set by the store
	UID     UID
	Thread  ThreadID // set by the store

	// Message-ID, In-Reply-To and References (RFC 5322 §3.6.4), with or
	// without angle brackets; the store keeps them without.
	MsgID      string
	InReplyTo  string
	References []string

	From    Address
	To, Cc  []Address
	Subject string
	// Date is the Date: header; InternalDate the server's INTERNALDATE. Lists
	// sort by Date, or InternalDate when Date is missing.
	Date, InternalDate time.Time
	Size               int64 // RFC822.SIZE

	Flags    Flags
	Keywords []string // IMAP keywords, e.g. "$Junk", "$Label1"
	ModSeq   uint64   // CONDSTORE MODSEQ (RFC 7162)

	HasAttachment bool
	Preview       string // short plain-text preview, provided by the caller
	BodyFetched   bool   // read-only: raw bytes are stored (PutBody)
}

// SortDate is the time lists sort by: Date, or InternalDate when Date is zero.
func (m Message) SortDate() time.Time {
	if m.Date.IsZero() {
		return m.InternalDate
	}
	return m.Date
}

// Cursor returns the keyset position just after m in a date-descending page.
func (m Message) Cursor() Cursor { return Cursor{Date: unix(m.SortDate()), ID: m.ID} }

func normMsgID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return strings.TrimSpace(s)
}

func normRefs(refs []string) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if r = normMsgID(r); r != "" && !strings.ContainsAny(r, " \t\r\n") {
			out = append(out, r)
		}
	}
	return out
}

func splitRefs(s string) []string { return strings.Fields(s) }

func encodeAddrs(a []Address) string {
	if len(a) == 0 {
		return ""
	}
	b, _ := json.Marshal(a) // []Address of strings cannot fail
	return string(b)
}

func decodeAddrs(s string) ([]Address, error) {
	if s == "" {
		return nil, nil
	}
	var a []Address
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return nil, fmt.Errorf("store: address list: %w", err)
	}
	return a, nil
}

// addrText is what the index holds for a list of addresses.
func addrText(as []Address) string {
	var b strings.Builder
	for _, a := range as {
		if a.Name == "" && a.Addr == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Name)
		b.WriteString(" <")
		b.WriteString(a.Addr)
		b.WriteString(">")
	}
	return b.String()
}

func normKeywords(k []string) string {
	k = slices.Clone(k)
	k = slices.DeleteFunc(k, func(s string) bool { return s == "" })
	slices.Sort(k)
	return strings.Join(slices.Compact(k), " ")
}

// PutHeaders inserts or updates a batch of messages in one folder, in one
// transaction, idempotently on (folder, UID). For a new row it computes the
// thread, indexes subject and addresses, and reuses a body already stored for
// the same Message-ID and size (in another folder, or stashed by DeleteUIDs,
// ResetFolder or DeleteFolder) so it is not downloaded again. A provisional
// row (UID ≤ 0, from a queued move/copy/append) in the folder with the same
// Message-ID is adopted: it takes the server UID instead of duplicating.
//
// An existing (folder, UID) keeps its header fields, which IMAP never changes
// (RFC 3501 §2.3.1.1); only Flags, Keywords and ModSeq are updated.
func (s *Store) PutHeaders(ctx context.Context, folder FolderID, msgs []Message) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var acct AccountID
		if err := tx.QueryRowContext(ctx, `SELECT account_id FROM folders WHERE id = ?`, folder).Scan(&acct); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				err = ErrNotFound
			}
			return fmt.Errorf("store: put headers: folder %d: %w", folder, err)
		}
		ins, err := newInserter(ctx, tx, s.stmts)
		if err != nil {
			return fmt.Errorf("store: put headers: %w", err)
		}
		defer ins.close()
		if err := ins.prefetch(ctx, acct, folder, msgs); err != nil {
			return fmt.Errorf("store: put headers: %w", err)
		}
		// The statements per message run without ctx's cancellation: the
		// driver watches a cancellable context with a goroutine of its own
		// per statement (~3% of a cold sync's CPU to offline). ctx is
		// checked between messages instead, and the commit honours it.
		rowCtx := context.WithoutCancel(ctx)
		for i := range msgs {
			if err := ctx.Err(); err != nil {
				return err
			}
			m := msgs[i]
			m.Account, m.Folder = acct, folder
			if m.UID <= 0 {
				return fmt.Errorf("store: put headers: UID %d is not a server UID", m.UID)
			}
			if _, err := ins.put(rowCtx, &m); err != nil {
				return fmt.Errorf("store: put headers: uid %d: %w", m.UID, err)
			}
		}
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("store: put headers: %w", err)
		}
		return nil
	})
}

// threadKeys lists the Message-IDs that tie a message to a thread: its own
// first, then In-Reply-To and References.
func threadKeys(msgid, irt string, refs []string) []string {
	keys := make([]string, 0, 2+len(refs))
	for _, k := range append([]string{msgid, irt}, refs...) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// threader assigns thread IDs, JWZ-lite: a message joins the thread of any
// Message-ID it carries or references that is already known, and when it
// bridges several threads they merge into the oldest (smallest ID). Every
// Message-ID seen, including referenced ones not (yet) stored, is linked to
// the thread, so a parent arriving after its reply joins the reply's thread.
// A message with no IDs at all is a thread of its own. Thread IDs are the
// message ID of the thread's founder and never reused.
type threader struct {
	tx                   *sql.Tx
	lookup, link, setMsg *sql.Stmt
}

func newThreader(ctx context.Context, tx *sql.Tx) (*threader, error) {
	th := &threader{tx: tx}
	var err error
	if th.lookup, err = tx.PrepareContext(ctx, `SELECT thread_id FROM thread_links WHERE account_id = ? AND msgid = ?`); err != nil {
		return nil, err
	}
	if th.link, err = tx.PrepareContext(ctx, `INSERT INTO thread_links(account_id, msgid, thread_id) VALUES (?,?,?)
		ON CONFLICT(account_id, msgid) DO UPDATE SET thread_id = excluded.thread_id`); err != nil {
		th.close()
		return nil, err
	}
	if th.setMsg, err = tx.PrepareContext(ctx, `UPDATE messages SET thread_id = ? WHERE id = ?`); err != nil {
		th.close()
		return nil, err
	}
	return th, nil
}

func (th *threader) close() {
	for _, st := range []*sql.Stmt{th.lookup, th.link, th.setMsg} {
		if st != nil {
			st.Close()
		}
	}
}

func (th *threader) assign(ctx context.Context, acct AccountID, id MessageID, keys []string) (ThreadID, error) {
	var found []int64
	for _, k := range keys {
		var t int64
		err := th.lookup.QueryRowContext(ctx, acct, k).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if !slices.Contains(found, t) {
			found = append(found, t)
		}
	}
	tid := int64(id)
	if len(found) > 0 {
		tid = slices.Min(found)
	}
	for _, old := range found {
		if old == tid {
			continue
		}
		if _, err := th.tx.ExecContext(ctx, `UPDATE messages SET thread_id = ? WHERE thread_id = ?`, tid, old); err != nil {
			return 0, err
		}
		if _, err := th.tx.ExecContext(ctx, `UPDATE thread_links SET thread_id = ? WHERE thread_id = ?`, tid, old); err != nil {
			return 0, err
		}
	}
	if _, err := th.setMsg.ExecContext(ctx, tid, id); err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := th.link.ExecContext(ctx, acct, k, tid); err != nil {
			return 0, err
		}
	}
	return ThreadID(tid), nil
}
