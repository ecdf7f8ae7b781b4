package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

// pop3Source reads a POP3 maildrop (RFC 1939) as one folder, INBOX. A
// message is known by its unique-id (UIDL, §7), which the journal turns
// into a stable UID (Journal.POP3UIDs), so a re-run copies nothing twice.
// It sends only CAPA, AUTH/USER/PASS, UIDL, LIST and TOP (RETR where
// there is no TOP), never DELE, and ends sessions without QUIT: the
// maildrop is left as it was (see account.POP3Client.Peek). POP3 has no flags; the INTERNALDATE given to the
// destination is the message's Date header.
type pop3Source struct {
	side Side
	j    *Journal // nil: UIDs for this session only (a plan without a journal)
	c    *account.POP3Client
	num  map[imap.UID]int // UID → message number in this session
	uids map[string]imap.UID
}

var _ source = (*pop3Source)(nil)

// pop3Folder is the one folder a POP3 maildrop has.
const pop3Folder = "INBOX"

func (s *pop3Source) client(ctx context.Context) (*account.POP3Client, error) {
	if s.c != nil {
		return s.c, nil
	}
	if s.side.Dialer == nil {
		return nil, errors.New("migrate: side has no dialer")
	}
	c, err := s.side.Dialer.DialPOP3(ctx, s.side.Account)
	if err != nil {
		return nil, &ConnError{Side: SideSource, Err: err}
	}
	s.c, s.num = c, nil
	return c, nil
}

func (s *pop3Source) folders(ctx context.Context) ([]*imap.ListData, error) {
	if _, err := s.client(ctx); err != nil {
		return nil, err
	}
	return []*imap.ListData{{Mailbox: pop3Folder, Delim: '/'}}, nil
}

// examine: UIDs come from the journal and never change meaning, so the
// UIDVALIDITY is constant.
func (s *pop3Source) examine(ctx context.Context, folder string) (folderView, error) {
	_, err := s.client(ctx)
	return folderView{UIDValidity: 1}, err
}

// list takes a fresh listing each time: a POP3 session sees the maildrop
// as it was when the session began (RFC 1939 §8), so it reconnects.
func (s *pop3Source) list(ctx context.Context, folder string, after, upto imap.UID, since time.Time, _ map[imap.UID]int64) ([]srcMsg, error) {
	s.drop()
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	msgs, err := c.List()
	if err != nil {
		return nil, err
	}
	uidls := make([]string, len(msgs))
	for i, m := range msgs {
		uidls[i] = m.UIDL
	}
	if s.j != nil {
		if s.uids, err = s.j.POP3UIDs(context.WithoutCancel(ctx), uidls); err != nil {
			return nil, err
		}
	} else if s.uids == nil {
		s.uids = map[string]imap.UID{}
	}
	s.num = map[imap.UID]int{}
	var out []srcMsg
	for _, m := range msgs {
		uid, ok := s.uids[m.UIDL]
		if !ok { // no journal: number them for this plan
			uid = imap.UID(len(s.uids) + 1)
			s.uids[m.UIDL] = uid
		}
		if _, dup := s.num[uid]; dup {
			continue // a server repeating a unique-id: keep the first
		}
		s.num[uid] = m.Num
		if uid > after && (upto == 0 || uid <= upto) {
			out = append(out, srcMsg{UID: uid, Size: m.Size, full: true})
		}
	}
	// POP3 cannot search by date; since is applied to the Date header when
	// the body is read (see storeBatch), so the plan counts the whole
	// maildrop.
	return out, nil
}

func (s *pop3Source) bodies(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID]*spool, error) {
	out := map[imap.UID]*spool{}
	err := s.each(ctx, uids, func(uid imap.UID, r io.Reader) error {
		sp, err := spoolFrom(r)
		if err != nil {
			return err
		}
		out[uid] = sp
		return nil
	})
	if err != nil {
		closeSpools(out)
		return nil, err
	}
	return out, nil
}

// present is which of uids the maildrop's last listing gave unique-ids
// for (a maildrop is listed in one window, so this is not asked in
// practice).
func (s *pop3Source) present(_ context.Context, _ string, uids []imap.UID) (map[imap.UID]bool, error) {
	out := make(map[imap.UID]bool, len(uids))
	for _, u := range uids {
		if _, ok := s.num[u]; ok {
			out[u] = true
		}
	}
	return out, nil
}

func (s *pop3Source) hashes(ctx context.Context, folder string, uids []imap.UID) (map[imap.UID][32]byte, error) {
	out := map[imap.UID][32]byte{}
	err := s.each(ctx, uids, func(uid imap.UID, r io.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		out[uid] = sum
		return nil
	})
	return out, err
}

// each RETRs every known UID of uids in turn; UIDs not in this session's
// listing have vanished and are left out.
func (s *pop3Source) each(ctx context.Context, uids []imap.UID, fn func(imap.UID, io.Reader) error) error {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	if s.num == nil {
		if _, err := s.list(ctx, pop3Folder, 0, 0, time.Time{}, nil); err != nil {
			return err
		}
		c = s.c
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for _, uid := range uids {
		n, ok := s.num[uid]
		if !ok {
			continue
		}
		r, err := c.Peek(n)
		if errors.Is(err, account.ErrPOP3) {
			continue // deleted by another session meanwhile
		}
		if err != nil {
			return fmt.Errorf("migrate: pop3 retr: %w", err)
		}
		if err := fn(uid, r); err != nil {
			return fmt.Errorf("migrate: pop3 retr: %w", err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return fmt.Errorf("migrate: pop3 retr: %w", err)
		}
	}
	return nil
}

// status: POP3 (RFC 1939) has no UIDNEXT, so a maildrop is never
// proven unchanged; it is listed each time.
func (s *pop3Source) status(context.Context, string) (mailboxStatus, error) {
	return mailboxStatus{}, errNoStatus
}

func (s *pop3Source) statusAll(context.Context, []string) (map[string]mailboxStatus, error) {
	return nil, errNoStatus
}

func (s *pop3Source) drop() {
	if s.c != nil {
		s.c.Close()
		s.c, s.num = nil, nil
	}
}

// logout closes without QUIT on purpose (see pop3Source).
func (s *pop3Source) logout() { s.drop() }

// spoolFrom spools a body of unknown length: in memory up to SpoolLimit,
// else in an unlinked temporary file.
func spoolFrom(r io.Reader) (*spool, error) {
	sp := &spool{}
	h := sha256.New()
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, SpoolLimit+1)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("migrate: read body: %w", err)
	}
	if n <= SpoolLimit {
		sp.buf, sp.size = buf.Bytes(), n
		h.Write(sp.buf)
	} else {
		f, err := os.CreateTemp("", "magpie-migrate-*")
		if err != nil {
			return nil, fmt.Errorf("migrate: spool: %w", err)
		}
		os.Remove(f.Name())
		sp.f = f
		m, err := io.Copy(io.MultiWriter(f, h), io.MultiReader(&buf, r))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("migrate: spool: %w", err)
		}
		sp.size = m
	}
	copy(sp.hash[:], h.Sum(nil))
	head := sp.head()
	sp.msgID = parseMessageID(messageIDLines(head))
	sp.date = headerDate(head)
	return sp, nil
}

// headerDate is the Date header's time (zero when missing or
// unparseable).
func headerDate(head []byte) time.Time {
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i+4]
	} else if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
		head = head[:i+2]
	}
	var lines []byte
	in := false
	for _, l := range bytes.SplitAfter(head, []byte("\n")) {
		t := bytes.TrimRight(l, "\r\n")
		if len(t) == 0 {
			break
		}
		if t[0] == ' ' || t[0] == '\t' {
			if in {
				lines = append(lines, l...)
			}
			continue
		}
		name, _, _ := bytes.Cut(t, []byte(":"))
		in = strings.EqualFold(strings.TrimSpace(string(name)), "Date")
		if in {
			lines = append(lines, l...)
		}
	}
	if len(lines) == 0 {
		return time.Time{}
	}
	env, err := message.HeaderFields(lines)
	if err != nil {
		return time.Time{}
	}
	return env.Date
}
