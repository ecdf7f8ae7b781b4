package migrate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// source is the side mail is read from: an IMAP account (imapSource) or a
// POP3 maildrop (pop3Source, INBOX only). Messages are named by UID
// within a folder at a UIDVALIDITY, as the journal keys them. Nothing a
// source does changes the mailbox it reads. A source is used by one
// goroutine at a time.
type source interface {
	// folders lists the selectable folders (names decoded, with the
	// source's delimiter).
	folders(ctx context.Context) ([]*imap.ListData, error)
	// examine opens folder read-only and returns what it tells: its
	// UIDVALIDITY, UIDNEXT and message count.
	examine(ctx context.Context, folder string) (folderView, error)
	// list returns folder's messages with UID > after and, when upto is
	// not 0, UID <= upto (and INTERNALDATE on or after since's day, when
	// set: see inSince), ascending by UID; without upto it sees mail that
	// arrived since the folder was opened. Messages in settled (UID →
	// size) may be listed by UID and size alone.
	list(ctx context.Context, folder string, after, upto imap.UID, since time.Time, settled map[imap.UID]int64) ([]srcMsg, error)
	// bodies reads the raw bytes of uids into spools; a UID missing from
	// the answer has vanished.
	bodies(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID]*spool, error)
	// status is folder's UIDVALIDITY, UIDNEXT and MESSAGES (errNoStatus
	// when the source cannot tell).
	status(ctx context.Context, folder string) (mailboxStatus, error)
	// statusAll is status for several folders in one round trip; a folder
	// the server cannot tell of is left out.
	statusAll(ctx context.Context, folders []string) (map[string]mailboxStatus, error)
	// hashes is bodies streamed through SHA-256 without keeping them.
	hashes(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID][32]byte, error)
	// present is which of uids the folder still holds.
	present(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID]bool, error)
	// drop closes the connection without ceremony; logout politely.
	drop()
	logout()
}

// folderView is what EXAMINE (RFC 3501 §6.3.2) tells of a source folder.
type folderView struct {
	UIDValidity uint32
	UIDNext     imap.UID // 0: not told
	Messages    uint32
}

// newSource returns the source for side: POP3 when the account has a
// POP3 server and no IMAP server, else IMAP. j keeps the UIDs given to
// POP3 unique-ids (nil: numbered for this session only).
func newSource(side Side, j *Journal) source {
	if side.isPOP3() {
		return &pop3Source{side: side, j: j}
	}
	return &imapSource{conn{side: side, name: SideSource}}
}

// imapSource reads an IMAP account: EXAMINE (RFC 3501 §6.3.2) and
// BODY.PEEK (§6.4.5) only.
type imapSource struct{ cn conn }

var _ source = (*imapSource)(nil)

func (s *imapSource) folders(ctx context.Context) ([]*imap.ListData, error) {
	c, err := s.cn.client(ctx)
	if err != nil {
		return nil, err
	}
	return c.List("", "*", nil).Collect()
}

func (s *imapSource) examine(ctx context.Context, folder string) (folderView, error) {
	sel, err := s.cn.open(ctx, folder, true)
	if err != nil {
		return folderView{}, err
	}
	return folderView{UIDValidity: sel.UIDValidity, UIDNext: sel.UIDNext, Messages: sel.NumMessages}, nil
}

func (s *imapSource) list(ctx context.Context, folder string, after, upto imap.UID, since time.Time, settled map[imap.UID]int64) ([]srcMsg, error) {
	if upto > 0 {
		// A window below the UIDNEXT the folder was examined with: mail
		// arriving meanwhile gets higher UIDs, so no NOOP is needed.
		if _, err := s.cn.open(ctx, folder, true); err != nil {
			return nil, err
		}
		return listRange(s.cn.c.Client, after+1, upto, since, settled)
	}
	if after == 0 { // right after examine: the view is fresh
		sel, err := s.cn.open(ctx, folder, true)
		if err != nil {
			return nil, err
		}
		n := sel.NumMessages
		if mb := s.cn.c.Mailbox(); mb != nil {
			n = mb.NumMessages
		}
		return listMessages(s.cn.c.Client, n, since, settled)
	}
	n, err := s.cn.fresh(ctx, folder, true)
	if err != nil || n == 0 {
		return nil, err
	}
	list, err := fetchMeta(s.cn.c.Client, imap.UIDSet{imap.UIDRange{Start: after + 1, Stop: 0}}, true, false, 0)
	var out []srcMsg
	for _, m := range list {
		// "n:*" always includes the last message, even below n.
		if m.UID > after && inSince(m, since) {
			out = append(out, m)
		}
	}
	return out, err
}

// size is folder's message count and size in bytes by STATUS (MESSAGES
// SIZE), when the server offers RFC 8438 (or IMAP4rev2).
func (s *imapSource) size(ctx context.Context, folder string) (uint32, int64, bool) {
	c, err := s.cn.client(ctx)
	if err != nil || !(c.Caps().Has(imap.CapStatusSize) || c.Caps().Has(imap.CapIMAP4rev2)) {
		return 0, 0, false
	}
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true, Size: true}).Wait()
	if err != nil || st.NumMessages == nil || st.Size == nil {
		return 0, 0, false
	}
	return *st.NumMessages, *st.Size, true
}

func (s *imapSource) bodies(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID]*spool, error) {
	if _, err := s.cn.open(ctx, folder, true); err != nil {
		return nil, err
	}
	return fetchBodies(s.cn.c.Client, imap.UIDSetNum(uids...))
}

func (s *imapSource) hashes(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID][32]byte, error) {
	if _, err := s.cn.open(ctx, folder, true); err != nil {
		return nil, err
	}
	return hashBodies(s.cn.c.Client, imap.UIDSetNum(uids...))
}

// present asks with one UID FETCH (UID) of uids (RFC 3501 §6.4.8): the
// server answers for those that exist and passes over the others.
func (s *imapSource) present(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID]bool, error) {
	if _, err := s.cn.open(ctx, folder, true); err != nil {
		return nil, err
	}
	want := uidRanges(slices.Clone(uids))
	cmd := s.cn.c.Client.Fetch(want, &imap.FetchOptions{UID: true})
	out := make(map[imap.UID]bool, len(uids))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return nil, fmt.Errorf("migrate: list: %w", err)
		}
		if want.Contains(buf.UID) {
			out[buf.UID] = true
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("migrate: list: %w", err)
	}
	return out, nil
}

func (s *imapSource) status(ctx context.Context, folder string) (mailboxStatus, error) {
	c, err := s.cn.client(ctx)
	if err != nil {
		return mailboxStatus{}, err
	}
	return statusOf(c, folder)
}

func (s *imapSource) statusAll(ctx context.Context, folders []string) (map[string]mailboxStatus, error) {
	c, err := s.cn.client(ctx)
	if err != nil {
		return nil, err
	}
	return statusAll(c, folders)
}

func (s *imapSource) drop()   { s.cn.drop() }
func (s *imapSource) logout() { s.cn.logout() }
