package account

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DialSMTP connects a to its submission server (RFC 6409) and
// authenticates: implicit TLS (RFC 8314, ports 465/994) or STARTTLS
// (RFC 3207, port 587), certificates verified; AUTH PLAIN (RFC 4954/4616)
// with the authorization identity when AuthorizeAs is set, else PLAIN or
// LOGIN, whichever the server offers (LOGIN after a PLAIN refused as
// unsupported, never after a refused password).
//
// It blocks until authenticated, ctx ends, or the dialer's timeout passes.
// On failure the error is a *ConnError.
func (d *Dialer) DialSMTP(ctx context.Context, a Account) (*smtp.Client, error) {
	g, err := d.begin(ctx, a, "smtp", a.SMTP, d.smtpStartTLS)
	if err != nil {
		return nil, err
	}
	defer g.cancel()
	c := smtp.NewClient(newTraceConn(g.conn, "smtp", d.Trace))
	if err := c.Hello("localhost"); err != nil {
		return nil, g.finish(StageGreeting, err, c.Close)
	}
	if err := g.finish(StageLogin, smtpLogin(c, a, g.password), c.Close); err != nil {
		return nil, err
	}
	return c, nil
}

// smtpStartTLS does EHLO and STARTTLS (RFC 3207) by hand so the wire trace
// sees cleartext, then replays the greeting to the SMTP client, which says
// EHLO again over TLS as §4.2 requires.
func (d *Dialer) smtpStartTLS(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, Stage, error) {
	pt := newTraceConn(raw, "smtp", d.Trace)
	br := bufio.NewReader(pt)
	code, greeting, err := readSMTPReply(br)
	if err != nil {
		return nil, StageGreeting, err
	}
	if code != 220 {
		return nil, StageGreeting, fmt.Errorf("account: smtp greeting %d %s", code, truncate(greeting, 200))
	}
	if _, err := fmt.Fprintf(pt, "EHLO localhost\r\n"); err != nil {
		return nil, StageGreeting, err
	}
	code, ext, err := readSMTPReply(br)
	if err != nil {
		return nil, StageGreeting, err
	}
	if code != 250 || !hasSMTPExtension(ext, "STARTTLS") {
		return nil, StageSTARTTLS, ErrNoSTARTTLS
	}
	if _, err := fmt.Fprintf(pt, "STARTTLS\r\n"); err != nil {
		return nil, StageSTARTTLS, err
	}
	code, text, err := readSMTPReply(br)
	if err != nil {
		return nil, StageSTARTTLS, err
	}
	if code != 220 {
		return nil, StageSTARTTLS, fmt.Errorf("%w: %d %s", ErrNoSTARTTLS, code, truncate(text, 200))
	}
	if br.Buffered() > 0 {
		return nil, StageSTARTTLS, errors.New("account: server sent data after STARTTLS")
	}
	tc, err := d.handshake(ctx, raw, cfg)
	if err != nil {
		return nil, StageTLS, err
	}
	first, _, _ := strings.Cut(greeting, "\n")
	return &prefixConn{Conn: tc, prefix: []byte("220 " + first + "\r\n")}, "", nil
}

// readSMTPReply reads a possibly multi-line reply (RFC 5321 §4.2) and
// returns its code and text lines joined by "\n".
func readSMTPReply(br *bufio.Reader) (int, string, error) {
	var lines []string
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, "", err
		}
		if len(line) < 3 {
			return 0, "", fmt.Errorf("account: malformed smtp reply %q", truncate(line, 100))
		}
		var code int
		if _, err := fmt.Sscanf(line[:3], "%d", &code); err != nil {
			return 0, "", fmt.Errorf("account: malformed smtp reply %q", truncate(line, 100))
		}
		if len(line) > 4 {
			lines = append(lines, line[4:])
		}
		if len(line) == 3 || line[3] == ' ' {
			return code, strings.Join(lines, "\n"), nil
		}
	}
}

func hasSMTPExtension(ehlo, name string) bool {
	for _, l := range strings.Split(ehlo, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}

func smtpLogin(c *smtp.Client, a Account, password string) error {
	user := a.LoginName()
	plain, login := c.SupportsAuth(sasl.Plain), c.SupportsAuth(sasl.Login)
	if a.AuthorizeAs != "" {
		if !plain {
			return ErrNoAuthzid
		}
		return c.Auth(sasl.NewPlainClient(a.AuthorizeAs, user, password))
	}
	if plain {
		err := c.Auth(sasl.NewPlainClient("", user, password))
		var se *smtp.SMTPError
		// 504: mechanism not supported; anything else is final.
		if err == nil || !login || !errors.As(err, &se) || se.Code != 504 {
			return err
		}
	}
	if login {
		return c.Auth(sasl.NewLoginClient(user, password))
	}
	return ErrLoginDisabled
}
