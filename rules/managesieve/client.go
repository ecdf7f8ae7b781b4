// Package managesieve is a ManageSieve client (RFC 5804): it uploads,
// checks, activates, lists and fetches Sieve scripts on a mail server.
//
// Security: Dial always upgrades with STARTTLS (RFC 5804 §2.2) and verifies
// the server certificate with the tls.Config it is given; it authenticates
// only with SASL PLAIN (RFC 4616) over that TLS. A password never appears in
// an error or a trace.
//
// A Client is not safe for concurrent use: one command runs at a time.
// Every method blocks until the server answers, ctx ends, or the
// connection fails; after a failed connection the Client is unusable.
package managesieve

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Error is a NO (or BYE) answer from the server, with its response code
// (RFC 5804 §1.3) and human-readable text: for CHECKSCRIPT and PUTSCRIPT
// the text explains what is wrong with the script.
type Error struct {
	Command string
	Status  string // "NO" or "BYE"
	Code    string // e.g. "NONEXISTENT", "QUOTA/MAXSCRIPTS", "" when none
	Text    string
}

func (e *Error) Error() string {
	s := "managesieve: " + e.Command + ": " + e.Status
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

var (
	// ErrNoSTARTTLS means the server does not offer STARTTLS; Magpie then
	// does not send a password.
	ErrNoSTARTTLS = errors.New("managesieve: server does not offer STARTTLS")
	// ErrNoPLAIN means the server offers no SASL PLAIN after STARTTLS.
	ErrNoPLAIN = errors.New("managesieve: server offers no SASL PLAIN")
)

// Capabilities is what the server announces (RFC 5804 §1.7).
type Capabilities struct {
	Implementation string
	Sieve          []string // Sieve extensions, e.g. "fileinto", "vacation"
	SASL           []string // mechanisms, upper case
	StartTLS       bool
	Version        string // "1.0" for RFC 5804 servers
}

// Has reports whether the server's Sieve supports extension ext.
func (c Capabilities) Has(ext string) bool {
	for _, e := range c.Sieve {
		if strings.EqualFold(e, ext) {
			return true
		}
	}
	return false
}

// Client is one ManageSieve connection.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	caps Capabilities
}

// Options configure Dial.
type Options struct {
	// TLS verifies the server after STARTTLS; ServerName must be set. It is
	// never nil: ManageSieve without TLS is not offered.
	TLS *tls.Config
	// Username is the authentication identity; AuthorizeAs, when set, the
	// authorization identity (a master user acting as a mailbox).
	Username, AuthorizeAs, Password string
	// Timeout bounds connecting, TLS and login; 0 means 30 s.
	Timeout time.Duration
	// NetDial replaces net.Dialer.DialContext (tests).
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Dial connects to addr (host:port, usually port 4190), reads the greeting,
// upgrades with STARTTLS and logs in with SASL PLAIN.
func Dial(ctx context.Context, addr string, o Options) (*Client, error) {
	if o.TLS == nil {
		return nil, errors.New("managesieve: dial: no TLS configuration")
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := o.NetDial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("managesieve: dial %s: %w", addr, err)
	}
	c := newClient(conn)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	err = c.setup(ctx, o)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("managesieve: %s: %w (%w)", addr, ctx.Err(), err)
		}
		return nil, err
	}
	return c, nil
}

func newClient(conn net.Conn) *Client {
	return &Client{conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
}

func (c *Client) setup(ctx context.Context, o Options) error {
	if err := c.readCapabilities("greeting"); err != nil {
		return err
	}
	if !c.caps.StartTLS {
		return ErrNoSTARTTLS
	}
	if _, err := c.cmd("STARTTLS"); err != nil {
		return err
	}
	tc := tls.Client(c.conn, o.TLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("managesieve: tls: %w", err)
	}
	c.conn, c.r, c.w = tc, bufio.NewReader(tc), bufio.NewWriter(tc)
	// RFC 5804 §2.2: the server re-announces its capabilities after TLS.
	if err := c.readCapabilities("STARTTLS"); err != nil {
		return err
	}
	plain := false
	for _, m := range c.caps.SASL {
		plain = plain || m == "PLAIN"
	}
	if !plain {
		return ErrNoPLAIN
	}
	ir := base64.StdEncoding.EncodeToString([]byte(o.AuthorizeAs + "\x00" + o.Username + "\x00" + o.Password))
	if _, err := c.cmd("AUTHENTICATE", "PLAIN", ir); err != nil {
		return err
	}
	// Capabilities may change after login (RFC 5804 §2.1): ask again.
	c.send("CAPABILITY")
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("managesieve: CAPABILITY: %w", err)
	}
	return c.readCapabilities("CAPABILITY")
}

// Capabilities returns what the server announced after login.
func (c *Client) Capabilities() Capabilities { return c.caps }

// readCapabilities reads capability lines up to the final OK.
func (c *Client) readCapabilities(what string) error {
	caps := Capabilities{}
	for {
		toks, err := readLine(c.r)
		if err != nil {
			return err
		}
		if resp, ok := parseResponse(toks); ok {
			if resp.status != "OK" {
				return &Error{Command: what, Status: resp.status, Code: resp.code, Text: resp.text}
			}
			c.caps = caps
			return nil
		}
		if len(toks) == 0 || toks[0].kind != tokString {
			return fmt.Errorf("%w: capability line", ErrProtocol)
		}
		val := ""
		if len(toks) > 1 {
			val = toks[1].s
		}
		switch strings.ToUpper(toks[0].s) {
		case "IMPLEMENTATION":
			caps.Implementation = val
		case "SIEVE":
			caps.Sieve = strings.Fields(val)
		case "SASL":
			caps.SASL = strings.Fields(strings.ToUpper(val))
		case "STARTTLS":
			caps.StartTLS = true
		case "VERSION":
			caps.Version = val
		}
	}
}

// send writes a command name and its string arguments, without the CRLF.
func (c *Client) send(name string, args ...string) {
	c.w.WriteString(name)
	for _, a := range args {
		c.w.WriteByte(' ')
		writeString(c.w, a)
	}
}

// cmd sends a command and reads its answer: the data lines before the
// final response, or an *Error for NO and BYE.
func (c *Client) cmd(name string, args ...string) ([][]token, error) {
	c.send(name, args...)
	return c.finish(name)
}

// finish ends the command line being written, sends it and reads the
// answer.
func (c *Client) finish(name string) ([][]token, error) {
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return nil, fmt.Errorf("managesieve: %s: %w", name, err)
	}
	var lines [][]token
	for {
		toks, err := readLine(c.r)
		if err != nil {
			return nil, fmt.Errorf("managesieve: %s: %w", name, err)
		}
		resp, ok := parseResponse(toks)
		if !ok {
			lines = append(lines, toks)
			continue
		}
		if resp.status != "OK" {
			return nil, &Error{Command: name, Status: resp.status, Code: resp.code, Text: resp.text}
		}
		return lines, nil
	}
}

// guard makes ctx bound the command run by fn.
func (c *Client) guard(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	err := fn()
	if !stop() {
		if err != nil {
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}
	return err
}

// ScriptInfo is one entry of LISTSCRIPTS.
type ScriptInfo struct {
	Name   string
	Active bool
}

// ListScripts lists the user's scripts (RFC 5804 §2.7).
func (c *Client) ListScripts(ctx context.Context) ([]ScriptInfo, error) {
	var out []ScriptInfo
	err := c.guard(ctx, func() error {
		lines, err := c.cmd("LISTSCRIPTS")
		if err != nil {
			return err
		}
		for _, l := range lines {
			if len(l) == 0 || l[0].kind != tokString {
				return fmt.Errorf("%w: LISTSCRIPTS line", ErrProtocol)
			}
			out = append(out, ScriptInfo{Name: l[0].s, Active: len(l) > 1 && strings.EqualFold(l[1].s, "ACTIVE")})
		}
		return nil
	})
	return out, err
}

// GetScript returns a script's content (RFC 5804 §2.9).
func (c *Client) GetScript(ctx context.Context, name string) (string, error) {
	var text string
	err := c.guard(ctx, func() error {
		lines, err := c.cmd("GETSCRIPT", name)
		if err != nil {
			return err
		}
		if len(lines) != 1 || len(lines[0]) != 1 || lines[0][0].kind != tokString {
			return fmt.Errorf("%w: GETSCRIPT answer", ErrProtocol)
		}
		text = lines[0][0].s
		return nil
	})
	return text, err
}

// CheckScript asks the server to parse content without storing it
// (RFC 5804 §2.12); a script with errors is an *Error whose Text says what.
func (c *Client) CheckScript(ctx context.Context, content string) error {
	return c.guard(ctx, func() error { _, err := c.cmdLiteral("CHECKSCRIPT", "", content); return err })
}

// PutScript stores content as script name, replacing one of that name
// (RFC 5804 §2.6). The server checks the script first.
func (c *Client) PutScript(ctx context.Context, name, content string) error {
	return c.guard(ctx, func() error { _, err := c.cmdLiteral("PUTSCRIPT", name, content); return err })
}

// cmdLiteral sends a command whose last argument is always a literal
// (scripts may hold line breaks and any UTF-8).
func (c *Client) cmdLiteral(cmd, name, content string) ([][]token, error) {
	if name != "" {
		c.send(cmd, name)
	} else {
		c.send(cmd)
	}
	fmt.Fprintf(c.w, " {%d+}\r\n%s", len(content), content)
	return c.finish(cmd)
}

// SetActive makes name the active script; "" deactivates all (RFC 5804 §2.8).
func (c *Client) SetActive(ctx context.Context, name string) error {
	return c.guard(ctx, func() error { _, err := c.cmd("SETACTIVE", name); return err })
}

// DeleteScript removes a script that is not active (RFC 5804 §2.10).
func (c *Client) DeleteScript(ctx context.Context, name string) error {
	return c.guard(ctx, func() error { _, err := c.cmd("DELETESCRIPT", name); return err })
}

// Logout ends the session and closes the connection (RFC 5804 §2.3).
func (c *Client) Logout(ctx context.Context) error {
	err := c.guard(ctx, func() error { _, err := c.cmd("LOGOUT"); return err })
	if cerr := c.conn.Close(); err == nil {
		err = cerr
	}
	var e *Error
	if errors.As(err, &e) && e.Status == "BYE" {
		return nil
	}
	return err
}

// Close closes the connection without LOGOUT.
func (c *Client) Close() error { return c.conn.Close() }
