package account

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
)

// traceConn copies a connection's cleartext traffic to a log, one line per
// protocol line, prefixed "C: " (client) or "S: " (server), with credentials
// redacted: from a LOGIN or AUTHENTICATE (IMAP) or AUTH (SMTP) command until
// the server's final answer to it, client bytes are replaced by a marker.
//
// Reads and writes may happen on different goroutines; the log is guarded.
type traceConn struct {
	net.Conn
	proto string // "imap" or "smtp"
	mu    sync.Mutex
	w     io.Writer
	cpart []byte // unterminated client line
	spart []byte // unterminated server line
	// redactTag is the IMAP tag of the command being redacted, or "AUTH"
	// for SMTP; empty when nothing is being redacted.
	redactTag string
	redacted  bool // the marker was already written for this command
}

func newTraceConn(c net.Conn, proto string, w io.Writer) net.Conn {
	if w == nil {
		return c
	}
	return &traceConn{Conn: c, proto: proto, w: w}
}

func (t *traceConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.mu.Lock()
		t.spart = append(t.spart, p[:n]...)
		for {
			i := bytes.IndexByte(t.spart, '\n')
			if i < 0 {
				break
			}
			t.serverLine(bytes.TrimRight(t.spart[:i], "\r"))
			t.spart = t.spart[i+1:]
		}
		t.mu.Unlock()
	}
	return n, err
}

func (t *traceConn) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.cpart = append(t.cpart, p...)
	for len(t.cpart) > 0 {
		if t.redactTag != "" {
			// Everything the client sends until the server's final answer
			// (literals, SASL responses) is a credential.
			if !t.redacted {
				fmt.Fprintf(t.w, "C: [credentials redacted]\n")
				t.redacted = true
			}
			t.cpart = t.cpart[:0]
			break
		}
		i := bytes.IndexByte(t.cpart, '\n')
		if i < 0 {
			break
		}
		t.clientLine(string(bytes.TrimRight(t.cpart[:i], "\r")))
		t.cpart = t.cpart[i+1:]
	}
	t.mu.Unlock()
	return t.Conn.Write(p)
}

func (t *traceConn) clientLine(s string) {
	if tag, safe, ok := startsAuth(t.proto, s); ok {
		t.redactTag, t.redacted = tag, true
		fmt.Fprintf(t.w, "C: %s [credentials redacted]\n", safe)
		return
	}
	fmt.Fprintf(t.w, "C: %s\n", s)
}

func (t *traceConn) serverLine(l []byte) {
	s := string(l)
	fmt.Fprintf(t.w, "S: %s\n", s)
	if t.redactTag == "" {
		return
	}
	switch t.proto {
	case "imap":
		if strings.HasPrefix(s, t.redactTag+" ") {
			t.redactTag, t.redacted = "", false
		}
	case "smtp":
		// 334 is a SASL challenge; any other final reply ends the exchange.
		if len(s) >= 4 && !strings.HasPrefix(s, "334") && s[3] == ' ' {
			t.redactTag, t.redacted = "", false
		}
	}
}

// startsAuth recognises a command that carries credentials and returns the
// tag to wait for and the part of the line that is safe to log.
func startsAuth(proto, line string) (tag, safe string, ok bool) {
	fields := strings.Fields(line)
	switch proto {
	case "imap":
		if len(fields) >= 2 {
			cmd := strings.ToUpper(fields[1])
			if cmd == "LOGIN" || cmd == "AUTHENTICATE" {
				safe = fields[0] + " " + fields[1]
				if cmd == "AUTHENTICATE" && len(fields) >= 3 {
					safe += " " + fields[2]
				}
				return fields[0], safe, true
			}
		}
	case "smtp":
		if len(fields) >= 1 && strings.EqualFold(fields[0], "AUTH") {
			safe = "AUTH"
			if len(fields) >= 2 {
				safe += " " + fields[1]
			}
			return "AUTH", safe, true
		}
	}
	return "", "", false
}

// prefixConn replays already-read bytes before reading from the connection:
// the greeting read during a hand-made STARTTLS is handed to the protocol
// client as if it came over the upgraded link.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// readLine reads one CRLF-terminated line (without it) from br, bounded so
// a hostile server cannot make us buffer without end.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, chunk...)
		if len(b) > 8192 {
			return "", fmt.Errorf("account: server line too long")
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}
