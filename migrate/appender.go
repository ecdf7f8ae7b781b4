package migrate

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/emersion/go-imap/v2"
)

// appendItem is one message of a MULTIAPPEND.
type appendItem struct {
	flags []imap.Flag
	date  time.Time
	size  int64
	body  io.Reader
}

// multiAppend stores items in mailbox with one APPEND command carrying
// them all (RFC 3502 §6.3.11): the server appends all or none. Literals
// are non-synchronising when the server offers LITERAL+ (RFC 7888), else
// each waits for the server's continuation. It returns the new UIDs, in
// the order of items, from APPENDUID (RFC 4315 §3), or nil without it.
//
// A NO or BAD is an *imap.Error and means nothing was stored; any other
// error leaves the outcome unknown and the connection unusable.
func (rc *rawConn) multiAppend(mailbox string, items []appendItem) (uidValidity uint32, uids []imap.UID, err error) {
	if len(items) == 0 {
		return 0, nil, nil
	}
	var total int64
	for _, it := range items {
		total += it.size
	}
	// A generous deadline so a silent server cannot hang the run: a minute
	// plus a second per megabyte.
	_ = rc.conn.SetDeadline(time.Now().Add(time.Minute + time.Duration(total>>20)*time.Second))
	defer rc.conn.SetDeadline(time.Time{})
	plus := rc.caps["LITERAL+"]
	tag := rc.nextTag()
	fmt.Fprintf(rc.bw, "%s APPEND %s", tag, quote(encodeMUTF7(mailbox)))
	for _, it := range items {
		rc.bw.WriteByte(' ')
		if len(it.flags) > 0 {
			fl := make([]string, len(it.flags))
			for i, f := range it.flags {
				fl[i] = string(f)
			}
			fmt.Fprintf(rc.bw, "(%s) ", strings.Join(fl, " "))
		}
		if !it.date.IsZero() {
			fmt.Fprintf(rc.bw, "%s ", quote(it.date.Format("_2-Jan-2006 15:04:05 -0700")))
		}
		if plus {
			fmt.Fprintf(rc.bw, "{%d+}\r\n", it.size)
		} else {
			fmt.Fprintf(rc.bw, "{%d}\r\n", it.size)
			if err := rc.bw.Flush(); err != nil {
				return 0, nil, fmt.Errorf("migrate: append: %w", err)
			}
			if st, err := rc.awaitContinuation(tag); err != nil || st.err != nil {
				if err == nil {
					err = st.err
				}
				return 0, nil, err
			}
		}
		n, err := io.Copy(rc.bw, it.body)
		if err == nil && n != it.size {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, nil, fmt.Errorf("migrate: append: %w", err)
		}
	}
	rc.bw.WriteString("\r\n")
	if err := rc.bw.Flush(); err != nil {
		return 0, nil, fmt.Errorf("migrate: append: %w", err)
	}
	for {
		line, err := rc.readLine()
		if err != nil {
			return 0, nil, err
		}
		if strings.HasPrefix(line, "* BYE") {
			return 0, nil, parseStatus(strings.TrimPrefix(line, "* ")).err
		}
		if !strings.HasPrefix(line, tag+" ") {
			continue
		}
		st := parseStatus(strings.TrimPrefix(line, tag+" "))
		if st.err != nil {
			return 0, nil, st.err
		}
		if st.code == "APPENDUID" {
			uidValidity, uids = parseAppendUID(st.args)
			if len(uids) != len(items) {
				uids = nil
			}
		}
		return uidValidity, uids, nil
	}
}

// awaitContinuation reads until the server asks for the next literal
// ("+"), or ends the command early with its tagged answer.
func (rc *rawConn) awaitContinuation(tag string) (status, error) {
	for {
		line, err := rc.readLine()
		if err != nil {
			return status{}, err
		}
		switch {
		case strings.HasPrefix(line, "+"):
			return status{}, nil
		case strings.HasPrefix(line, tag+" "):
			st := parseStatus(strings.TrimPrefix(line, tag+" "))
			if st.err == nil {
				st.err = fmt.Errorf("migrate: append: server ended the command early: %s", line)
			}
			return st, nil
		case strings.HasPrefix(line, "* BYE"):
			return status{}, parseStatus(strings.TrimPrefix(line, "* ")).err
		}
	}
}

// parseAppendUID reads "uidvalidity uid-set" (RFC 4315 §3: the UIDs are
// assigned in the order of the messages appended).
func parseAppendUID(args string) (uint32, []imap.UID) {
	f := strings.Fields(args)
	if len(f) != 2 {
		return 0, nil
	}
	v, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return 0, nil
	}
	var out []imap.UID
	for _, part := range strings.Split(f[1], ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil {
			return 0, nil
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 32); err != nil {
				return 0, nil
			}
		}
		if b < a {
			a, b = b, a
		}
		if b-a > 1<<20 {
			return 0, nil
		}
		for u := a; u <= b; u++ {
			out = append(out, imap.UID(u))
		}
	}
	return uint32(v), out
}

// encodeMUTF7 encodes a mailbox name in modified UTF-7 (RFC 3501 §5.1.3).
func encodeMUTF7(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		u := utf16.Encode(run)
		buf := make([]byte, 2*len(u))
		for i, c := range u {
			buf[2*i], buf[2*i+1] = byte(c>>8), byte(c)
		}
		b.WriteByte('&')
		b.WriteString(strings.ReplaceAll(base64.RawStdEncoding.EncodeToString(buf), "/", ","))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			b.WriteString("&-")
		case r >= 0x20 && r <= 0x7e:
			flush()
			b.WriteRune(r)
		default:
			run = append(run, r)
		}
	}
	flush()
	return b.String()
}
