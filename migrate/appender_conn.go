package migrate

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
)

// rawConn is a bare IMAP connection for what go-imap v2 does not speak,
// or speaks at a higher cost: APPEND of several messages at once (RFC
// 3502), and single APPENDs pipelined with synchronising literals, each
// literal written with the next command (see appendEach). It is logged
// in like the account's other connections (implicit TLS or STARTTLS with
// verified certificates, plaintext only for insecure-plain; SASL PLAIN,
// with the authorization identity when set, else LOGIN); appendEach
// selects the mailbox it appends into. It is used by one goroutine at a
// time.
type rawConn struct {
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	caps     map[string]bool
	tag      int
	selected string // the mailbox selected, "" for none
	stop     func() bool
}

// dialRaw connects and logs in to side's IMAP server. The connection is
// closed when ctx ends.
func dialRaw(ctx context.Context, side Side) (*rawConn, error) {
	a, d := side.Account, side.Dialer
	if d == nil {
		return nil, errors.New("migrate: side has no dialer")
	}
	password, err := a.Password(ctx, d.Secrets)
	if err != nil {
		return nil, &ConnError{Side: SideDest, Err: err}
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = account.DefaultTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var conn net.Conn
	if d.NetDial != nil {
		conn, err = d.NetDial(dctx, "tcp", a.IMAP.Addr())
	} else {
		var nd net.Dialer
		conn, err = nd.DialContext(dctx, "tcp", a.IMAP.Addr())
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: appender: %w", err)
	}
	rc := &rawConn{conn: conn}
	rc.stop = context.AfterFunc(ctx, func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if err := rc.handshake(d, a, password); err != nil {
		rc.Close()
		return nil, err
	}
	_ = rc.conn.SetDeadline(time.Time{})
	return rc, nil
}

func (rc *rawConn) handshake(d *account.Dialer, a account.Account, password string) error {
	switch a.IMAP.Security {
	case account.SecurityTLS:
		if err := rc.startTLS(d, a); err != nil {
			return err
		}
		rc.reset()
		if _, err := rc.readLine(); err != nil { // greeting
			return err
		}
	case account.SecuritySTARTTLS:
		rc.reset()
		if _, err := rc.readLine(); err != nil {
			return err
		}
		if _, err := rc.simple("STARTTLS"); err != nil {
			return err
		}
		if rc.br.Buffered() > 0 {
			return errors.New("migrate: appender: server sent data after STARTTLS OK")
		}
		if err := rc.startTLS(d, a); err != nil {
			return err
		}
		rc.reset()
	case account.SecurityInsecurePlain:
		rc.reset()
		if _, err := rc.readLine(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("migrate: appender: security %q", a.IMAP.Security)
	}
	if err := rc.capability(); err != nil {
		return err
	}
	user := a.LoginName()
	if rc.caps["AUTH=PLAIN"] || a.AuthorizeAs != "" {
		ir := base64.StdEncoding.EncodeToString([]byte(a.AuthorizeAs + "\x00" + user + "\x00" + password))
		if _, err := rc.simple("AUTHENTICATE PLAIN", ir); err != nil {
			return fmt.Errorf("migrate: appender: login: %w", err)
		}
	} else if _, err := rc.simple("LOGIN " + quote(user) + " " + quote(password)); err != nil {
		return fmt.Errorf("migrate: appender: login: %w", err)
	}
	return rc.capability() // the list may grow after login (RFC 3501 §7.2.1)
}

// startTLS wraps the connection in TLS verified like account.Dialer does:
// the dialer's roots (or the system's) plus the account's CA file.
func (rc *rawConn) startTLS(d *account.Dialer, a account.Account) error {
	pool := d.RootCAs
	if a.CAFile != "" {
		pem, err := os.ReadFile(a.CAFile)
		if err != nil {
			return fmt.Errorf("migrate: appender: ca_file: %w", err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		} else {
			pool = pool.Clone()
		}
		pool.AppendCertsFromPEM(pem)
	}
	tc := tls.Client(rc.conn, &tls.Config{ServerName: a.IMAP.Host, RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("migrate: appender: tls: %w", err)
	}
	rc.conn = tc
	return nil
}

func (rc *rawConn) reset() {
	rc.br, rc.bw = bufio.NewReaderSize(rc.conn, 16<<10), bufio.NewWriterSize(rc.conn, 64<<10)
}

// Close closes the connection without LOGOUT.
func (rc *rawConn) Close() {
	rc.stop()
	rc.conn.Close()
}

func (rc *rawConn) capability() error {
	lines, err := rc.simple("CAPABILITY")
	if err != nil {
		return err
	}
	rc.caps = map[string]bool{}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 2 && strings.EqualFold(f[1], "CAPABILITY") {
			for _, c := range f[2:] {
				rc.caps[strings.ToUpper(c)] = true
			}
		}
	}
	return nil
}

func (rc *rawConn) nextTag() string {
	rc.tag++
	return "A" + strconv.Itoa(rc.tag)
}

// simple sends one command and returns its untagged lines; cont answers
// continuation requests (the SASL initial response).
func (rc *rawConn) simple(cmd string, cont ...string) ([]string, error) {
	tag := rc.nextTag()
	if _, err := fmt.Fprintf(rc.bw, "%s %s\r\n", tag, cmd); err != nil {
		return nil, err
	}
	if err := rc.bw.Flush(); err != nil {
		return nil, err
	}
	var untagged []string
	for {
		line, err := rc.readLine()
		if err != nil {
			return nil, err
		}
		switch {
		case strings.HasPrefix(line, "+"):
			next := "*" // cancel (RFC 3501 §6.2.2) when there is nothing to say
			if len(cont) > 0 {
				next, cont = cont[0], cont[1:]
			}
			if _, err := rc.bw.WriteString(next + "\r\n"); err != nil {
				return nil, err
			}
			if err := rc.bw.Flush(); err != nil {
				return nil, err
			}
		case strings.HasPrefix(line, "* "):
			untagged = append(untagged, line)
		case strings.HasPrefix(line, tag+" "):
			if st := parseStatus(strings.TrimPrefix(line, tag+" ")); st.err != nil {
				return untagged, st.err
			}
			return untagged, nil
		}
	}
}

// readLine reads one response line without its CRLF. A line announcing a
// literal ({n} at its end, RFC 3501 §4.3) has the literal skipped and the
// rest of the line appended, so callers see whole responses.
func (rc *rawConn) readLine() (string, error) {
	var b strings.Builder
	for {
		line, err := rc.br.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("migrate: appender: read: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		b.WriteString(line)
		if b.Len() > 1<<20 {
			return "", errors.New("migrate: appender: response line too long")
		}
		n, ok := literalSize(line)
		if !ok {
			return b.String(), nil
		}
		if _, err := io.CopyN(io.Discard, rc.br, n); err != nil {
			return "", fmt.Errorf("migrate: appender: read: %w", err)
		}
	}
}

func literalSize(line string) (int64, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(line[i+1:len(line)-1], "+"), 10, 64)
	return n, err == nil && n >= 0
}

// status is a parsed tagged response: err is an *imap.Error for NO and
// BAD, code and args the response code (RFC 3501 §7.1).
type status struct {
	code string
	args string
	err  error
}

func parseStatus(s string) status {
	typ, rest, _ := strings.Cut(s, " ")
	var st status
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i > 0 {
			st.code, st.args, _ = strings.Cut(rest[1:i], " ")
			st.code = strings.ToUpper(st.code)
			rest = strings.TrimSpace(rest[i+1:])
		}
	}
	switch strings.ToUpper(typ) {
	case "OK":
	case "NO":
		st.err = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCode(st.code), Text: rest}
	case "BYE":
		st.err = &imap.Error{Type: imap.StatusResponseTypeBye, Code: imap.ResponseCode(st.code), Text: rest}
	default:
		st.err = &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCode(st.code), Text: rest}
	}
	return st
}

// quote is an IMAP quoted string (RFC 3501 §4.3); s must not hold CR or LF.
func quote(s string) string {
	if !strings.ContainsAny(s, `\"`) { // a date, most mailbox names: nothing to escape
		return `"` + s + `"`
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
