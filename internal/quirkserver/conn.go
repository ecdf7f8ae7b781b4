package quirkserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

const (
	maxLine    = 1 << 20   // longest command or response line accepted
	maxLiteral = 512 << 20 // largest literal buffered in memory
	dialWait   = 10 * time.Second
)

var errLineTooLong = errors.New("quirkserver: line too long")

// conn is one proxied client connection and its backend connection.
//
// Two goroutines serve it: pumpCommands reads the client and writes the
// backend; pumpResponses reads the backend and writes the client. Writes to
// the client from both are serialised by wmu, one whole response at a time.
type conn struct {
	srv    *Server
	id     int
	client net.Conn
	cr     *bufio.Reader

	backend net.Conn // set once in serve
	br      *bufio.Reader

	wmu sync.Mutex

	// Owned by pumpCommands.
	idSeen bool

	mu       sync.Mutex
	closed   bool
	done     chan struct{}
	hung     bool            // Coremail after ENABLE: nothing is answered
	rawTag   string          // client lines are command continuation data until this tag completes
	rawIdle  bool            // rawTag is an IDLE: raw mode also ends at DONE
	rawAuth  bool            // rawTag is an AUTHENTICATE: redact raw lines
	contTag  string          // command waiting for the backend's "+"
	contCh   chan bool       // receives true on "+", false if contTag completed instead
	xlistTag map[string]bool // XLIST commands translated to LIST, in flight
}

func newConn(s *Server, nc net.Conn, id int) *conn {
	return &conn{
		srv:      s,
		id:       id,
		client:   nc,
		cr:       bufio.NewReader(nc),
		done:     make(chan struct{}),
		xlistTag: make(map[string]bool),
	}
}

// close closes both connections; both pumps then return. Idempotent.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	close(c.done)
	c.client.Close()
	if c.backend != nil {
		c.backend.Close()
	}
}

// serve runs the connection until either side closes. It blocks.
func (c *conn) serve() {
	defer c.close()
	backend, err := net.DialTimeout("tcp", c.srv.opts.Backend, dialWait)
	if err != nil {
		c.srv.logf("[%d] backend: %v", c.id, err)
		c.writeClient([]byte("* BYE Backend unavailable\r\n"))
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		backend.Close()
		return
	}
	c.backend = backend
	c.br = bufio.NewReader(backend)
	c.mu.Unlock()

	greeting, err := c.readResponse()
	if err != nil {
		return
	}
	c.writeParts(c.rewriteGreeting(greeting))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer c.close()
		c.pumpResponses()
	}()
	c.pumpCommands()
	c.close()
	wg.Wait()
}

// readLine reads one CRLF-terminated line (LF tolerated).
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		line = append(line, frag...)
		if err == nil {
			return line, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		if len(line) > maxLine {
			return nil, errLineTooLong
		}
	}
}

// writeClient writes b to the client as one unit.
func (c *conn) writeClient(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.client.Write(b)
	return err
}

func (c *conn) writeParts(parts []part) error {
	var buf bytes.Buffer
	for _, p := range parts {
		buf.Write(p.line)
		buf.Write(p.lit)
	}
	c.logParts("S", parts)
	return c.writeClient(buf.Bytes())
}

// reply sends a complete tagged (or untagged) status response.
func (c *conn) reply(tag, status, text string) error {
	line := tag + " " + status + " " + text + "\r\n"
	c.srv.logf("[%d] S: %s", c.id, strings.TrimRight(line, "\r\n"))
	return c.writeClient([]byte(line))
}

func (c *conn) logParts(dir string, parts []part) {
	if c.srv.opts.Log == nil {
		return
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strings.TrimRight(string(p.line), "\r\n"))
		if p.lit != nil {
			fmt.Fprintf(&b, " <%d bytes> ", len(p.lit))
		}
	}
	c.srv.logf("[%d] %s: %s", c.id, dir, b.String())
}

func (c *conn) isHung() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hung
}

// pumpCommands reads client commands until the client or Close ends them.
func (c *conn) pumpCommands() {
	for {
		line, err := readLine(c.cr)
		if err != nil {
			return
		}
		c.mu.Lock()
		rawTag, rawIdle, rawAuth := c.rawTag, c.rawIdle, c.rawAuth
		if rawIdle && strings.EqualFold(strings.TrimSpace(string(line)), "DONE") {
			c.rawTag, c.rawIdle = "", false
		}
		c.mu.Unlock()
		if rawTag != "" {
			if rawAuth {
				c.srv.logf("[%d] C: <redacted SASL data>", c.id)
			} else {
				c.logParts("C", []part{{line: line}})
			}
			if _, err := c.backend.Write(line); err != nil {
				return
			}
			continue
		}
		cmd, err := c.readCommand(line)
		if err != nil {
			return
		}
		if cmd == nil {
			continue
		}
		if err := c.dispatch(cmd); err != nil {
			return
		}
		if c.isHung() {
			// Coremail after ENABLE: the connection stays open and
			// nothing the client sends is ever answered.
			io.Copy(io.Discard, c.cr)
			return
		}
	}
}

// readCommand reads the rest of a command whose first line is line,
// answering "+" to synchronising literals the profile accepts. It returns
// nil when the command was already answered at a literal announcement.
func (c *conn) readCommand(line []byte) (*command, error) {
	cmd := &command{}
	cmd.tag, cmd.name = parseTagName(line)
	for {
		n, sync, ok := literalInfo(line)
		if !ok {
			cmd.parts = append(cmd.parts, part{line: line})
			return cmd, nil
		}
		if cmd.reply == "" {
			cmd.reply = c.literalVerdict(cmd, n, sync)
		}
		if cmd.reply != "" && sync {
			// Refuse at the announcement (RFC 3501 section 7.5): the
			// client sends neither the literal nor the rest.
			c.countAndLog(cmd)
			return nil, c.writeClient([]byte(cmd.reply))
		}
		if sync {
			if err := c.writeClient([]byte("+ Ready for literal data\r\n")); err != nil {
				return nil, err
			}
		}
		var lit []byte
		if cmd.reply != "" {
			if _, err := io.CopyN(io.Discard, c.cr, n); err != nil {
				return nil, err
			}
			lit = []byte{}
		} else {
			lit = make([]byte, n)
			if _, err := io.ReadFull(c.cr, lit); err != nil {
				return nil, err
			}
		}
		cmd.parts = append(cmd.parts, part{line: line, lit: lit, sync: sync})
		var err error
		if line, err = readLine(c.cr); err != nil {
			return nil, err
		}
	}
}

// literalVerdict decides at a literal announcement whether the command is
// refused; it returns the full tagged response, or "" to accept.
func (c *conn) literalVerdict(cmd *command, n int64, sync bool) string {
	sp := &c.srv.spec
	if n > maxLiteral {
		return cmd.tag + " BAD Literal too large\r\n"
	}
	if sp.caps == nil {
		return ""
	}
	if sp.appendLimit && cmd.name == "APPEND" && n > c.srv.opts.AppendLimit {
		return cmd.tag + " NO " + ExmailTooBigText(n) + "\r\n"
	}
	if !sync && !c.srv.has("LITERAL+") && !(c.srv.has("LITERAL-") && n <= 4096) {
		return cmd.tag + " BAD " + sp.badText + "\r\n"
	}
	return ""
}

func (c *conn) countAndLog(cmd *command) {
	c.srv.countCommand(cmd.name)
	c.logCommand(cmd)
}

// logCommand traces a client command with credentials redacted.
func (c *conn) logCommand(cmd *command) {
	if c.srv.opts.Log == nil {
		return
	}
	switch cmd.name {
	case "LOGIN":
		c.srv.logf("[%d] C: %s LOGIN <redacted>", c.id, cmd.tag)
	case "AUTHENTICATE":
		f := strings.Fields(string(cmd.parts[0].line))
		mech := ""
		if len(f) > 2 {
			mech = f[2]
		}
		c.srv.logf("[%d] C: %s AUTHENTICATE %s <redacted>", c.id, cmd.tag, mech)
	default:
		c.logParts("C", cmd.parts)
	}
}

// has reports whether the proxy advertises capability name.
func (s *Server) has(name string) bool {
	for _, c := range s.caps {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// forward sends parts to the backend byte for byte. Before each
// synchronising literal it waits for the backend's "+"; if the backend
// completes the command instead, the rest is dropped (the client already
// got the backend's answer).
func (c *conn) forward(tag string, parts []part) error {
	for _, p := range parts {
		var ch chan bool
		if p.lit != nil && p.sync {
			ch = make(chan bool, 1)
			c.mu.Lock()
			c.contTag, c.contCh = tag, ch
			c.mu.Unlock()
		}
		if _, err := c.backend.Write(p.line); err != nil {
			return err
		}
		if ch != nil {
			select {
			case ok := <-ch:
				if !ok {
					return nil
				}
			case <-c.done:
				return net.ErrClosed
			}
		}
		if len(p.lit) > 0 {
			if _, err := c.backend.Write(p.lit); err != nil {
				return err
			}
		}
	}
	return nil
}

// pumpResponses forwards backend responses to the client, rewriting what
// the profile changes, until the backend or Close ends it.
func (c *conn) pumpResponses() {
	for {
		parts, err := c.readResponse()
		if err != nil {
			return
		}
		if c.isHung() {
			continue
		}
		first := parts[0].line
		switch {
		case first[0] == '+':
			c.mu.Lock()
			ch := c.contCh
			c.contTag, c.contCh = "", nil
			auth := c.rawAuth
			c.mu.Unlock()
			if ch != nil {
				ch <- true
				continue
			}
			// go-imap's imapserver encodes an empty SASL challenge as
			// "+ =", which RFC 3501 section 6.2.2 does not allow and go-imap's
			// own client rejects; real servers send "+ ".
			if auth && c.srv.caps != nil && string(bytes.TrimRight(first, "\r\n")) == "+ =" {
				parts = []part{{line: []byte("+ \r\n")}}
			}
		case bytes.HasPrefix(first, []byte("* ")):
			parts = c.rewriteUntagged(parts)
		default:
			tag, _, _ := strings.Cut(string(first), " ")
			c.complete(tag)
			parts = c.rewriteCapCode(parts)
		}
		if err := c.writeParts(parts); err != nil {
			return
		}
	}
}

// complete updates per-command state when the backend completes tag.
// It runs before the tagged response reaches the client, so the client's
// next line is read in the right mode.
func (c *conn) complete(tag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.contCh != nil && c.contTag == tag {
		c.contCh <- false
		c.contTag, c.contCh = "", nil
	}
	if c.rawTag == tag {
		c.rawTag, c.rawIdle, c.rawAuth = "", false, false
	}
	delete(c.xlistTag, tag)
}

// readResponse reads one backend response with its literals.
func (c *conn) readResponse() ([]part, error) {
	var parts []part
	for {
		line, err := readLine(c.br)
		if err != nil {
			return nil, err
		}
		if len(parts) == 0 && len(line) > 0 && line[0] == '+' {
			return []part{{line: line}}, nil
		}
		n, _, ok := literalInfo(line)
		if !ok {
			if len(bytes.TrimSpace(line)) == 0 && len(parts) == 0 {
				continue // stray empty line
			}
			return append(parts, part{line: line}), nil
		}
		if n > maxLiteral {
			return nil, fmt.Errorf("quirkserver: backend literal of %d bytes", n)
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(c.br, lit); err != nil {
			return nil, err
		}
		parts = append(parts, part{line: line, lit: lit, sync: true})
	}
}
