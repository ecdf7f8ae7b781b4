package account

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// POP3Client is an authenticated POP3 connection (RFC 1939) in the
// TRANSACTION state. It offers only what reading a maildrop needs: UIDL,
// LIST, RETR and TOP (see Peek). It never sends DELE, and Close ends the
// session without QUIT, so the server never enters the UPDATE state (RFC
// 1939 §6): nothing is deleted.
//
// A POP3Client is used by one goroutine at a time.
type POP3Client struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
	// Capa is the server's CAPA answer (RFC 2449), upper-cased; empty when
	// the server has no CAPA.
	Capa map[string]bool
}

// ErrPOP3 marks a -ERR answer; the error's text is the server's.
var ErrPOP3 = errors.New("account: pop3 server said -ERR")

// DialPOP3 connects a to its POP3 server and logs in: implicit TLS (RFC
// 8314) or STLS (RFC 2595 §4), certificates verified, plaintext only when
// the account says insecure-plain; SASL PLAIN (RFC 5034, with the
// authorization identity when set) where offered, else USER/PASS. It
// blocks until logged in, ctx ends, or the dialer's timeout passes. On
// failure the error is a *ConnError saying at which Stage.
func (d *Dialer) DialPOP3(ctx context.Context, a Account) (*POP3Client, error) {
	g, err := d.begin(ctx, a, "pop3", a.POP3, d.pop3StartTLS)
	if err != nil {
		return nil, err
	}
	defer g.cancel()
	c := &POP3Client{conn: newTraceConn(g.conn, "pop3", d.Trace), timeout: d.timeout()}
	c.br = bufio.NewReaderSize(c.conn, 32<<10)
	stage, err := c.handshake(a, g.password)
	if err := g.finish(stage, err, c.conn.Close); err != nil {
		return nil, err
	}
	return c, nil
}

// pop3StartTLS reads the greeting, upgrades with STLS and replays the
// greeting over the secured link.
func (d *Dialer) pop3StartTLS(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, Stage, error) {
	pt := newTraceConn(raw, "pop3", d.Trace)
	br := bufio.NewReader(pt)
	greeting, err := readLine(br)
	if err != nil {
		return nil, StageGreeting, err
	}
	if !strings.HasPrefix(greeting, "+OK") {
		return nil, StageGreeting, fmt.Errorf("account: unexpected pop3 greeting %q", truncate(greeting, 200))
	}
	if _, err := fmt.Fprintf(pt, "STLS\r\n"); err != nil {
		return nil, StageSTARTTLS, err
	}
	line, err := readLine(br)
	if err != nil {
		return nil, StageSTARTTLS, err
	}
	if !strings.HasPrefix(line, "+OK") {
		return nil, StageSTARTTLS, fmt.Errorf("%w: %s", ErrNoSTARTTLS, truncate(line, 200))
	}
	if br.Buffered() > 0 {
		return nil, StageSTARTTLS, errors.New("account: server sent data after STLS +OK")
	}
	tc, err := d.handshake(ctx, raw, cfg)
	if err != nil {
		return nil, StageTLS, err
	}
	return &prefixConn{Conn: tc, prefix: []byte(greeting + "\r\n")}, "", nil
}

func (c *POP3Client) handshake(a Account, password string) (Stage, error) {
	greeting, err := readLine(c.br)
	if err != nil {
		return StageGreeting, err
	}
	if !strings.HasPrefix(greeting, "+OK") {
		return StageGreeting, fmt.Errorf("account: unexpected pop3 greeting %q", truncate(greeting, 200))
	}
	c.Capa = map[string]bool{}
	if lines, err := c.multi("CAPA"); err == nil {
		for _, l := range lines {
			c.Capa[strings.ToUpper(strings.TrimSpace(string(l)))] = true
			if f := strings.Fields(strings.ToUpper(string(l))); len(f) > 1 && f[0] == "SASL" {
				for _, m := range f[1:] {
					c.Capa["SASL "+m] = true
				}
			}
		}
	}
	user := a.LoginName()
	if c.Capa["SASL PLAIN"] || a.AuthorizeAs != "" {
		if !c.Capa["SASL PLAIN"] {
			return StageLogin, ErrNoAuthzid
		}
		ir := base64.StdEncoding.EncodeToString([]byte(a.AuthorizeAs + "\x00" + user + "\x00" + password))
		_, err := c.cmd("AUTH PLAIN " + ir)
		return StageLogin, err
	}
	if _, err := c.cmd("USER " + user); err != nil {
		return StageLogin, err
	}
	_, err = c.cmd("PASS " + password)
	return StageLogin, err
}

// cmd sends one command and reads its one-line answer, the text after
// "+OK".
func (c *POP3Client) cmd(line string) (string, error) {
	if strings.ContainsAny(line, "\r\n") {
		return "", errors.New("account: pop3: line break in a command")
	}
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
		return "", fmt.Errorf("account: pop3: %w", err)
	}
	resp, err := readLine(c.br)
	if err != nil {
		return "", fmt.Errorf("account: pop3: %w", err)
	}
	if strings.HasPrefix(resp, "+OK") {
		return strings.TrimSpace(strings.TrimPrefix(resp, "+OK")), nil
	}
	return "", fmt.Errorf("%w: %s", ErrPOP3, truncate(strings.TrimSpace(strings.TrimPrefix(resp, "-ERR")), 300))
}

// multi sends a command whose answer is a multi-line block (RFC 1939
// §3) and returns its lines, dot-unstuffed.
func (c *POP3Client) multi(line string) ([][]byte, error) {
	if _, err := c.cmd(line); err != nil {
		return nil, err
	}
	var out [][]byte
	r := c.body()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("account: pop3: %w", err)
	}
	return out, nil
}

// POP3Message is one message of the maildrop: its number in this session
// (RFC 1939 §5, LIST), its unique-id (UIDL, §7) and its size in octets as
// the server counts them.
type POP3Message struct {
	Num  int
	UIDL string
	Size int64
}

// List returns the maildrop's messages with their UIDL and size. A
// server without UIDL is an error: without it a message cannot be told
// again in a later session.
func (c *POP3Client) List() ([]POP3Message, error) {
	uidl, err := c.multi("UIDL")
	if err != nil {
		return nil, fmt.Errorf("account: pop3 uidl: %w", err)
	}
	sizes, err := c.multi("LIST")
	if err != nil {
		return nil, fmt.Errorf("account: pop3 list: %w", err)
	}
	size := map[int]int64{}
	for _, l := range sizes {
		f := strings.Fields(string(l))
		if len(f) >= 2 {
			n, _ := strconv.Atoi(f[0])
			s, _ := strconv.ParseInt(f[1], 10, 64)
			size[n] = s
		}
	}
	var out []POP3Message
	for _, l := range uidl {
		f := strings.Fields(string(l))
		if len(f) < 2 {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		out = append(out, POP3Message{Num: n, UIDL: f[1], Size: size[n]})
	}
	return out, nil
}

// Retr streams message n (RFC 1939 §5 RETR), dot-unstuffed, with CRLF
// line ends as the server sent them. The reader must be read to EOF (or
// the client closed) before the next command.
func (c *POP3Client) Retr(n int) (io.Reader, error) {
	if _, err := c.cmd("RETR " + strconv.Itoa(n)); err != nil {
		return nil, err
	}
	_ = c.conn.SetDeadline(time.Time{})
	return c.body(), nil
}

// topAll is a TOP line count no message reaches.
const topAll = 99999999

// Peek streams message n whole without marking it read where the server
// can tell: with TOP n and a line count no message reaches (RFC 1939 §7)
// when the server offers TOP, since RETR is what servers such as Dovecot
// record as a read (\Seen, even when the session ends without QUIT);
// else with RETR. Like Retr, the reader must be drained first.
func (c *POP3Client) Peek(n int) (io.Reader, error) {
	if !c.Capa["TOP"] {
		return c.Retr(n)
	}
	if _, err := c.cmd("TOP " + strconv.Itoa(n) + " " + strconv.Itoa(topAll)); err != nil {
		return nil, err
	}
	_ = c.conn.SetDeadline(time.Time{})
	return c.body(), nil
}

// Close ends the session without QUIT (see POP3Client).
func (c *POP3Client) Close() error { return c.conn.Close() }

// body reads a multi-line block up to its terminating ".", undoing the
// byte-stuffing of lines that begin with "." (RFC 1939 §3).
func (c *POP3Client) body() io.Reader {
	return &dotReader{br: c.br}
}

type dotReader struct {
	br   *bufio.Reader
	line []byte
	mid  bool // inside a line longer than the buffer
	done bool
}

func (d *dotReader) Read(p []byte) (int, error) {
	for len(d.line) == 0 {
		if d.done {
			return 0, io.EOF
		}
		line, err := d.br.ReadSlice('\n')
		whole := err != bufio.ErrBufferFull
		if err != nil && whole {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("account: pop3: %w", err)
		}
		if !d.mid {
			if whole && bytes.Equal(bytes.TrimRight(line, "\r\n"), []byte(".")) {
				d.done = true
				return 0, io.EOF
			}
			if line[0] == '.' {
				line = line[1:]
			}
		}
		d.mid = !whole
		d.line = bytes.Clone(line)
	}
	n := copy(p, d.line)
	d.line = d.line[n:]
	return n, nil
}
