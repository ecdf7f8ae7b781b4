package migrate

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// appendResult is the outcome of one APPEND of appendEach: done says the
// server answered it (err nil: stored, with the UID from APPENDUID when
// uidValidity is not 0; err an *imap.Error: refused).
type appendResult struct {
	done        bool
	uidValidity uint32
	uid         imap.UID
	err         error
}

// appendEach stores items in mailbox with one APPEND each (RFC 3501
// §6.3.11), pipelined: the next command goes out without waiting for the
// answer to the one before. With LITERAL+ (RFC 7888) every literal is
// non-synchronising and the batch is written at once; without, each
// literal waits for the server's continuation, and is written together
// with the next command's line, so that a message costs one write and
// one round trip. A command the server answers before its continuation
// (a NO for a message too big, say) has its literal left out.
//
// The mailbox is selected first (once per connection): Dovecot appends
// into the mailbox a session has open without reading its index again
// for every message.
//
// The error is not nil when the connection failed: the results not done
// then have an unknown outcome, and the connection is unusable.
func (rc *rawConn) appendEach(mailbox string, items []appendItem) ([]appendResult, error) {
	res := make([]appendResult, len(items))
	if len(items) == 0 {
		return res, nil
	}
	name := quote(encodeMUTF7(mailbox))
	var total int64
	for _, it := range items {
		total += it.size
	}
	_ = rc.conn.SetDeadline(time.Now().Add(time.Minute + time.Duration(total>>20)*time.Second))
	defer rc.conn.SetDeadline(time.Time{})
	if rc.selected != mailbox {
		rc.selected = ""
		if _, err := rc.simple("SELECT " + name); err != nil {
			return res, fmt.Errorf("migrate: append: select: %w", err)
		}
		rc.selected = mailbox
	}
	plus := rc.caps["LITERAL+"]
	first := rc.tag + 1
	left := len(items) // commands not answered yet
	// answer records a tagged line; it returns the item it answers, or
	// -1 for a line that is none of this batch's.
	answer := func(line string) int {
		tag, rest, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(strings.TrimPrefix(tag, "A"))
		if err != nil || !strings.HasPrefix(tag, "A") || n < first || n >= first+len(items) || res[n-first].done {
			return -1
		}
		i := n - first
		st := parseStatus(rest)
		res[i] = appendResult{done: true, err: st.err}
		if st.err == nil && st.code == "APPENDUID" {
			if v, uids := parseAppendUID(st.args); len(uids) == 1 {
				res[i].uidValidity, res[i].uid = v, uids[0]
			}
		}
		left--
		return i
	}
	// read reads one response line and deals with it: a tagged answer
	// (returned as its item), a continuation (cont), or an untagged line
	// (ignored, but for BYE).
	read := func() (item int, cont bool, err error) {
		line, err := rc.readLine()
		if err != nil {
			return -1, false, err
		}
		switch {
		case strings.HasPrefix(line, "+"):
			return -1, true, nil
		case strings.HasPrefix(line, "* BYE"):
			return -1, false, parseStatus(strings.TrimPrefix(line, "* ")).err
		case strings.HasPrefix(line, "*"):
			return -1, false, nil
		}
		return answer(line), false, nil
	}
	var scratch []byte
	header := func(it appendItem) {
		rc.tag++
		rc.bw.WriteString("A")
		rc.bw.WriteString(strconv.Itoa(rc.tag))
		rc.bw.WriteString(" APPEND ")
		rc.bw.WriteString(name)
		rc.bw.WriteByte(' ')
		if len(it.flags) > 0 {
			rc.bw.WriteByte('(')
			for i, f := range it.flags {
				if i > 0 {
					rc.bw.WriteByte(' ')
				}
				rc.bw.WriteString(string(f))
			}
			rc.bw.WriteString(") ")
		}
		if !it.date.IsZero() { // date-time (RFC 3501 §9): nothing in it to escape
			scratch = append(it.date.AppendFormat(append(scratch[:0], '"'), "_2-Jan-2006 15:04:05 -0700"), '"', ' ')
			rc.bw.Write(scratch)
		}
		rc.bw.WriteByte('{')
		rc.bw.WriteString(strconv.FormatInt(it.size, 10))
		if plus {
			rc.bw.WriteByte('+')
		}
		rc.bw.WriteString("}\r\n")
	}
	header(items[0])
	for i, it := range items {
		if !plus {
			if err := rc.bw.Flush(); err != nil {
				return res, fmt.Errorf("migrate: append: %w", err)
			}
			// Wait for the continuation, or for the command's own
			// answer (then its literal is not sent).
			for {
				j, cont, err := read()
				if err != nil {
					return res, err
				}
				if cont || j == i {
					break
				}
			}
		}
		if !res[i].done {
			n, err := io.Copy(rc.bw, it.body)
			if err == nil && n != it.size {
				err = io.ErrUnexpectedEOF
			}
			if err != nil {
				return res, fmt.Errorf("migrate: append: %w", err)
			}
			rc.bw.WriteString("\r\n")
		}
		if i+1 < len(items) {
			header(items[i+1])
		}
	}
	if err := rc.bw.Flush(); err != nil {
		return res, fmt.Errorf("migrate: append: %w", err)
	}
	for left > 0 {
		if _, _, err := read(); err != nil {
			return res, err
		}
	}
	return res, nil
}
