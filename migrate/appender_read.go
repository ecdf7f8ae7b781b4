package migrate

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// What a worker reads back from the destination for verification goes
// through its appender when it has one, so that a worker that copied
// keeps one connection to the destination from its first batch to its
// last verification: no second TLS handshake, login and server process
// per worker, and verification can come between two batches at no cost
// (see afterCopy.runOne).

// selectBox SELECTs mailbox (RFC 3501 §6.3.1) unless it is the one
// selected already.
func (rc *rawConn) selectBox(mailbox string) error {
	if rc.selected == mailbox {
		return nil
	}
	rc.selected = ""
	if _, err := rc.simple("SELECT " + quote(encodeMUTF7(mailbox))); err != nil {
		return fmt.Errorf("migrate: select: %w", err)
	}
	rc.selected = mailbox
	return nil
}

// status is STATUS mailbox (MESSAGES UIDNEXT UIDVALIDITY) (RFC 3501
// §6.3.10). A NO is an *imap.Error; an answer without the three items is
// errNoStatus.
func (rc *rawConn) status(mailbox string) (mailboxStatus, error) {
	_ = rc.conn.SetDeadline(time.Now().Add(time.Minute))
	defer rc.conn.SetDeadline(time.Time{})
	lines, err := rc.simple("STATUS " + quote(encodeMUTF7(mailbox)) + " (MESSAGES UIDNEXT UIDVALIDITY)")
	if err != nil {
		return mailboxStatus{}, err
	}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) < 2 || !strings.EqualFold(f[1], "STATUS") {
			continue
		}
		// The mailbox name comes first and may hold anything: the items
		// are the last parenthesised list.
		i := strings.LastIndexByte(l, '(')
		if i < 0 {
			continue
		}
		items := strings.Fields(strings.TrimSuffix(strings.TrimSpace(l[i+1:]), ")"))
		var st mailboxStatus
		var seen int
		for k := 0; k+1 < len(items); k += 2 {
			n, err := strconv.ParseUint(items[k+1], 10, 32)
			if err != nil {
				continue
			}
			switch strings.ToUpper(items[k]) {
			case "MESSAGES":
				st.Messages, seen = uint32(n), seen|1
			case "UIDNEXT":
				st.UIDNext, seen = uint32(n), seen|2
			case "UIDVALIDITY":
				st.UIDValidity, seen = uint32(n), seen|4
			}
		}
		if seen == 7 && st.UIDNext != 0 && st.UIDValidity != 0 {
			return st, nil
		}
	}
	return mailboxStatus{}, fmt.Errorf("%w: %q", errNoStatus, mailbox)
}

// freshBox SELECTs mailbox, or when it is selected already, sends NOOP
// (RFC 3501 §6.1.2): a session's view of its selected mailbox does not
// grow by itself, and what other connections stored since the last
// command is counted in it only once the server had a command to tell it
// in (Dovecot answers a UID FETCH from the view it had before).
func (rc *rawConn) freshBox(mailbox string) error {
	if rc.selected != mailbox {
		return rc.selectBox(mailbox)
	}
	if _, err := rc.simple("NOOP"); err != nil {
		return fmt.Errorf("migrate: noop: %w", err)
	}
	return nil
}

// eachBodyHash SELECTs mailbox (see freshBox) and reads the messages of rg (UID FETCH
// rg (UID BODY.PEEK[]), RFC 3501 §6.4.5: \Seen is not set), each body
// streamed through SHA-256 and dropped, calling fn with its UID and hash.
// A message whose body comes as NIL, or without a UID, is left out, as
// the ordinary connection's eachBodyHash does.
func (rc *rawConn) eachBodyHash(mailbox string, rg imap.UIDRange, fn func(imap.UID, [32]byte)) error {
	if err := rc.freshBox(mailbox); err != nil {
		return err
	}
	// As appending: a minute, renewed by every message read.
	_ = rc.conn.SetDeadline(time.Now().Add(time.Minute))
	defer rc.conn.SetDeadline(time.Time{})
	tag := rc.nextTag()
	fmt.Fprintf(rc.bw, "%s UID FETCH %s (UID BODY.PEEK[])\r\n", tag, imap.UIDSet{rg}.String())
	if err := rc.bw.Flush(); err != nil {
		return fmt.Errorf("migrate: fetch: %w", err)
	}
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for {
		line, err := rc.br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("migrate: fetch: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, tag+" ") {
			st := parseStatus(strings.TrimPrefix(line, tag+" "))
			if st.err != nil && !noMatch(st.err) {
				return fmt.Errorf("migrate: fetch: %w", st.err)
			}
			return nil
		}
		if strings.HasPrefix(line, "* BYE") {
			return parseStatus(strings.TrimPrefix(line, "* ")).err
		}
		// A FETCH response: its text before and after the body's
		// literal (the items may come in any order), the literal hashed.
		text := line
		var sum [32]byte
		got := false
		for {
			n, ok := literalSize(line)
			if !ok {
				break
			}
			_ = rc.conn.SetDeadline(time.Now().Add(time.Minute + time.Duration(n>>20)*time.Second))
			if strings.HasSuffix(strings.ToUpper(line[:strings.LastIndexByte(line, '{')]), "BODY[] ") && !got {
				h.Reset()
				if _, err := io.CopyBuffer(h, io.LimitReader(rc.br, n), buf); err != nil {
					return fmt.Errorf("migrate: fetch: %w", err)
				}
				h.Sum(sum[:0])
				got = true
			} else if _, err := io.CopyN(io.Discard, rc.br, n); err != nil {
				return fmt.Errorf("migrate: fetch: %w", err)
			}
			if line, err = rc.br.ReadString('\n'); err != nil {
				return fmt.Errorf("migrate: fetch: %w", err)
			}
			line = strings.TrimRight(line, "\r\n")
			text += " " + line
		}
		if !got {
			continue
		}
		if uid := fetchUID(text); uid != 0 {
			fn(uid, sum)
		}
	}
}

// fetchUID finds "UID n" in the text of a FETCH response (0 when absent).
func fetchUID(text string) imap.UID {
	f := strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(text))
	for i := 0; i+1 < len(f); i++ {
		if strings.EqualFold(f[i], "UID") {
			if n, err := strconv.ParseUint(f[i+1], 10, 32); err == nil {
				return imap.UID(n)
			}
		}
	}
	return 0
}
