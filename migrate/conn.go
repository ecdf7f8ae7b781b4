package migrate

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

// conn is one side's connection, re-established on demand. It remembers
// the selected mailbox so that a reconnect selects it again.
type conn struct {
	side    Side
	name    SideName
	c       *account.IMAPClient
	stop    func() bool
	mailbox string
	sel     *imap.SelectData
}

// client returns a live connection, dialling when there is none or the
// last one was closed (go-imap closes it after a refused synchronising
// literal, RFC 3501 §7.5). The connection is closed when ctx ends, which
// unblocks any command in progress.
func (cn *conn) client(ctx context.Context) (*imapclient.Client, error) {
	if cn.c != nil && cn.c.State() == imap.ConnStateLogout {
		cn.drop()
	}
	if cn.c == nil {
		c, err := cn.side.dial(ctx)
		if err != nil {
			return nil, &ConnError{Side: cn.name, Err: err}
		}
		cn.c = c
		cn.stop = context.AfterFunc(ctx, func() { c.Close() })
	}
	return cn.c.Client, nil
}

// open selects mailbox (EXAMINE when readOnly, RFC 3501 §6.3.2) unless it
// is already selected on the live connection.
func (cn *conn) open(ctx context.Context, mailbox string, readOnly bool) (*imap.SelectData, error) {
	c, err := cn.client(ctx)
	if err != nil {
		return nil, err
	}
	if cn.mailbox == mailbox && cn.sel != nil {
		return cn.sel, nil
	}
	cn.mailbox, cn.sel = "", nil
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: readOnly}).Wait()
	if err != nil {
		return nil, fmt.Errorf("migrate: select %s %q: %w", cn.name, mailbox, err)
	}
	cn.mailbox, cn.sel = mailbox, sel
	return sel, nil
}

// fresh is open followed, when the mailbox was already selected, by NOOP
// (RFC 3501 §6.1.2), so that messages other connections appended since
// are announced (EXISTS) and visible to the next FETCH. It returns the
// number of messages now in the mailbox.
func (cn *conn) fresh(ctx context.Context, mailbox string, readOnly bool) (uint32, error) {
	cached := cn.c != nil && cn.mailbox == mailbox && cn.sel != nil
	sel, err := cn.open(ctx, mailbox, readOnly)
	if err != nil {
		return 0, err
	}
	if !cached {
		return sel.NumMessages, nil
	}
	if err := cn.c.Noop().Wait(); err != nil {
		return 0, fmt.Errorf("migrate: noop %s: %w", cn.name, err)
	}
	if mb := cn.c.Mailbox(); mb != nil {
		return mb.NumMessages, nil
	}
	return sel.NumMessages, nil
}

// drop closes the connection without ceremony.
func (cn *conn) drop() {
	if cn.c == nil {
		return
	}
	cn.stop()
	cn.c.Close()
	cn.c, cn.mailbox, cn.sel = nil, "", nil
}

// logout ends the session politely, then closes.
func (cn *conn) logout() {
	if cn.c != nil && cn.c.State() != imap.ConnStateLogout {
		_ = cn.c.Logout().Wait()
	}
	cn.drop()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// srcMsg is one source message's metadata. A Run holds one per message
// of every folder it copies until the folder is verified, so it is kept
// small (56 bytes): the flag list is shared with the other messages of
// the listing that have the same (see fetchMeta), the date is its Unix
// second and zone.
type srcMsg struct {
	UID     imap.UID
	zone    int32 // the date's offset east of UTC, in seconds
	Size    int64
	unix    int64        // the date (INTERNALDATE, RFC 3501 §2.3.3), when hasDate
	flag    *[]imap.Flag // nil: none; shared, read only
	MsgID   string
	hasDate bool
	// full says FLAGS and INTERNALDATE were fetched: a message listed by
	// UID alone (settled before, see listMessages) has neither.
	full bool
}

// Flags is the message's flag list; it must not be changed.
func (m srcMsg) Flags() []imap.Flag {
	if m.flag == nil {
		return nil
	}
	return *m.flag
}

// Date is the message's date (the zero time when it has none), in its
// own zone: INTERNALDATE has whole seconds and an offset (RFC 3501
// §9 date-time), so nothing is lost.
func (m srcMsg) Date() time.Time {
	if !m.hasDate {
		return time.Time{}
	}
	return time.Unix(m.unix, 0).In(time.FixedZone("", int(m.zone)))
}

// setDate sets the date; the zero time means none.
func (m *srcMsg) setDate(t time.Time) {
	if t.IsZero() {
		m.unix, m.zone, m.hasDate = 0, 0, false
		return
	}
	_, off := t.Zone()
	m.unix, m.zone, m.hasDate = t.Unix(), int32(off), true
}

// msgKey narrows the candidates for a content match: identical bytes have
// the same Message-ID and the same size.
type msgKey struct {
	msgID string
	size  int64
}

func (m srcMsg) key() msgKey { return msgKey{m.MsgID, m.Size} }

// messageIDSection asks for the Message-ID header alone (RFC 3501 §6.4.5
// HEADER.FIELDS), with PEEK so the source is never marked read.
func messageIDSection() *imap.FetchItemBodySection {
	return &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Message-ID"}, Peek: true}
}

// noMatch tells the "no messages" answer some servers give to a FETCH of
// an empty set.
func noMatch(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "no matching messages")
}

// scanSource EXAMINEs name and lists its messages (UID, FLAGS,
// INTERNALDATE, RFC822.SIZE) in ascending UID order; with since, only
// those SEARCH SINCE (a single key, which every server takes) finds.
func scanSource(c *imapclient.Client, name string, since time.Time) ([]srcMsg, *imap.SelectData, error) {
	sel, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: examine source %q: %w", name, err)
	}
	msgs, err := listMessages(c, sel.NumMessages, since, nil)
	return msgs, sel, err
}

// listMessages lists the selected mailbox, which holds n messages, in
// ascending UID order. Messages in settled (UID → size, from the journal)
// are listed by UID alone, from one UID SEARCH (ESEARCH, RFC 4731, when
// offered): what was copied before costs nothing but its number. The
// others get their FLAGS, INTERNALDATE and RFC822.SIZE.
func listMessages(c *imapclient.Client, n uint32, since time.Time, settled map[imap.UID]int64) ([]srcMsg, error) {
	if n == 0 {
		return nil, nil
	}
	if since.IsZero() && len(settled) == 0 {
		return fetchMeta(c, imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, true, false, int(n))
	}
	crit := &imap.SearchCriteria{}
	if !since.IsZero() {
		crit.Since = since
	}
	var opts *imap.SearchOptions
	if c.Caps().Has(imap.CapESearch) || c.Caps().Has(imap.CapIMAP4rev2) {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	data, err := c.UIDSearch(crit, opts).Wait()
	if err != nil {
		return nil, fmt.Errorf("migrate: search: %w", err)
	}
	var out, known []srcMsg
	var rest []imap.UID
	for _, uid := range data.AllUIDs() {
		if size, ok := settled[uid]; ok {
			known = append(known, srcMsg{UID: uid, Size: size})
		} else {
			rest = append(rest, uid)
		}
	}
	if len(rest) > 0 {
		if out, err = fetchMeta(c, uidRanges(rest), true, false, len(rest)+len(known)); err != nil {
			return nil, err
		}
	}
	out = append(out, known...)
	slices.SortFunc(out, func(a, b srcMsg) int { return cmp.Compare(a.UID, b.UID) })
	return out, nil
}

// uidRanges is a UID set with consecutive UIDs as ranges.
func uidRanges(uids []imap.UID) imap.UIDSet {
	slices.Sort(uids)
	var set imap.UIDSet
	for _, u := range uids {
		if n := len(set); n > 0 && set[n-1].Stop+1 == u {
			set[n-1].Stop = u
			continue
		}
		set = append(set, imap.UIDRange{Start: u, Stop: u})
	}
	return set
}

// fetchMeta fetches UID and RFC822.SIZE of set, with FLAGS and
// INTERNALDATE when full and the Message-ID when withID, without touching
// \Seen. Without the Message-ID a server answers from its index alone,
// which is what keeps listing and verifying cheap. hint is how many
// messages are expected (0: unknown): a listing is held for the whole
// copy of its folder, so it is not left with the spare capacity of a
// slice grown by appending.
func fetchMeta(c *imapclient.Client, set imap.UIDSet, full, withID bool, hint int) ([]srcMsg, error) {
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, Flags: full, InternalDate: full}
	if withID {
		opts.BodySection = []*imap.FetchItemBodySection{messageIDSection()}
	}
	cmd := c.Fetch(set, opts)
	out := make([]srcMsg, 0, hint)
	// Most messages share one of a few flag lists: each is kept once
	// (every message's own strings would be ~60 bytes a message held
	// for the whole run). The lists are only read.
	shared := map[string]*[]imap.Flag{}
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return nil, fmt.Errorf("migrate: fetch: %w", err)
		}
		var flags *[]imap.Flag
		if len(buf.Flags) > 0 {
			k := joinFlags(buf.Flags)
			if flags = shared[k]; flags == nil {
				l := slices.Clip(buf.Flags)
				flags = &l
				shared[k] = flags
			}
		}
		m := srcMsg{UID: buf.UID, Size: buf.RFC822Size, flag: flags, full: full}
		m.setDate(buf.InternalDate)
		if len(buf.BodySection) > 0 {
			m.MsgID = parseMessageID(buf.BodySection[0].Bytes)
		}
		out = append(out, m)
	}
	if err := cmd.Close(); err != nil && !noMatch(err) {
		return nil, fmt.Errorf("migrate: fetch: %w", err)
	}
	return out, nil
}

// joinFlags is flags as one string (a key: flag atoms hold no space).
func joinFlags(flags []imap.Flag) string {
	var b strings.Builder
	for i, f := range flags {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(f))
	}
	return b.String()
}

func parseMessageID(header []byte) string {
	env, err := message.HeaderFields(header)
	if err != nil {
		return ""
	}
	return env.MessageID
}

// spool holds one message body: in memory up to SpoolLimit, else in an
// unlinked temporary file.
type spool struct {
	buf   []byte
	f     *os.File
	size  int64
	hash  [32]byte
	msgID string    // parsed from the header, as the destination's look parses it
	date  time.Time // the Date header's (POP3 sources only: the INTERNALDATE to give)
}

// head is the start of the body, enough for its header.
func (sp *spool) head() []byte {
	if sp.f == nil {
		return sp.buf
	}
	head := make([]byte, 64<<10)
	n, _ := sp.f.ReadAt(head, 0)
	return head[:n]
}

func newSpool(r imap.LiteralReader) (*spool, error) {
	sp := &spool{size: r.Size()}
	h := sha256.New()
	if sp.size <= SpoolLimit {
		sp.buf = make([]byte, sp.size)
		if _, err := io.ReadFull(r, sp.buf); err != nil {
			return nil, fmt.Errorf("migrate: read body: %w", err)
		}
		h.Write(sp.buf)
	} else {
		f, err := os.CreateTemp("", "magpie-migrate-*")
		if err != nil {
			return nil, fmt.Errorf("migrate: spool: %w", err)
		}
		os.Remove(f.Name()) // the open descriptor keeps it until Close
		sp.f = f
		n, err := io.Copy(io.MultiWriter(f, h), r)
		if err == nil && n != sp.size {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("migrate: spool: %w", err)
		}
	}
	copy(sp.hash[:], h.Sum(nil))
	sp.msgID = parseMessageID(messageIDLines(sp.head()))
	return sp, nil
}

// messageIDLines returns the Message-ID header lines of a message's
// header (with their continuation lines), as a FETCH of
// BODY.PEEK[HEADER.FIELDS (Message-ID)] would (RFC 3501 §6.4.5), so that
// both are parsed alike.
func messageIDLines(raw []byte) []byte {
	var out []byte
	in := false
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		line := raw
		if i >= 0 {
			line, raw = raw[:i+1], raw[i+1:]
		} else {
			raw = nil
		}
		t := bytes.TrimRight(line, "\r\n")
		if len(t) == 0 {
			break
		}
		if t[0] == ' ' || t[0] == '\t' {
			if in {
				out = append(out, line...)
			}
			continue
		}
		name, _, ok := bytes.Cut(t, []byte(":"))
		in = ok && strings.EqualFold(strings.TrimSpace(string(name)), "Message-ID")
		if in {
			out = append(out, line...)
		}
	}
	return out
}

func (sp *spool) reader() io.Reader {
	if sp.f != nil {
		return io.NewSectionReader(sp.f, 0, sp.size)
	}
	return bytes.NewReader(sp.buf)
}

func (sp *spool) Close() {
	if sp.f != nil {
		sp.f.Close()
	}
}

// hashBodies streams the bodies of set through SHA-256, one at a time,
// and returns UID → hash.
func hashBodies(c *imapclient.Client, set imap.UIDSet) (map[imap.UID][32]byte, error) {
	out := map[imap.UID][32]byte{}
	err := eachBodyHash(c, set, func(uid imap.UID, sum [32]byte) { out[uid] = sum })
	return out, err
}

// eachBodyHash streams the bodies of set through SHA-256, one at a time,
// and calls fn with each UID and hash: a folder's bodies are read without
// keeping them, nor a map of the folder.
func eachBodyHash(c *imapclient.Client, set imap.UIDSet, fn func(imap.UID, [32]byte)) error {
	if len(set) == 0 {
		return nil
	}
	buf := make([]byte, 64<<10) // one copy buffer for the whole answer
	h := sha256.New()
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var uid imap.UID
		var sum [32]byte
		got := false
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = it.UID
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil {
					continue
				}
				h.Reset()
				if _, err := io.CopyBuffer(h, it.Literal, buf); err != nil {
					cmd.Close()
					return fmt.Errorf("migrate: fetch: %w", err)
				}
				h.Sum(sum[:0])
				got = true
			}
		}
		if got && uid != 0 {
			fn(uid, sum)
		}
	}
	if err := cmd.Close(); err != nil && !noMatch(err) {
		return fmt.Errorf("migrate: fetch: %w", err)
	}
	return nil
}
