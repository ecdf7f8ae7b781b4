package account

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// IMAPClient is an authenticated IMAP connection (RFC 3501/9051) with what
// was learnt while connecting.
type IMAPClient struct {
	*imapclient.Client
	Account Account
	// Quirks are the preset's, plus what the server showed (a Coremail ID,
	// XLIST without SPECIAL-USE).
	Quirks Quirks
	// ServerID is the server's answer to IMAP ID (RFC 2971), nil if none.
	ServerID *imap.IDData
}

// IMAPOptions tunes DialIMAP. A nil *IMAPOptions is the zero value.
type IMAPOptions struct {
	// UnilateralDataHandler receives EXISTS, EXPUNGE, FETCH… the server
	// sends on its own (needed for IDLE).
	UnilateralDataHandler *imapclient.UnilateralDataHandler
}

// DialIMAP connects a to its IMAP server and logs in:
//   - implicit TLS (RFC 8314) or STARTTLS (RFC 3501 §6.2.1), certificates
//     verified; plaintext only when the account says insecure-plain;
//   - IMAP ID (RFC 2971) right after the greeting when the server offers it
//     or the provider needs it, and again after login where the server
//     wants it (NetEase/Coremail refuse SELECT with "Unsafe Login" otherwise);
//   - AUTHENTICATE PLAIN (RFC 4616, with the authorization identity when
//     AuthorizeAs is set), falling back to LOGIN when PLAIN is not offered
//     or is refused as unsupported.
//
// It blocks until logged in, ctx ends, or the dialer's timeout passes. On
// failure the error is a *ConnError saying at which Stage.
func (d *Dialer) DialIMAP(ctx context.Context, a Account, opts *IMAPOptions) (*IMAPClient, error) {
	if opts == nil {
		opts = &IMAPOptions{}
	}
	g, err := d.begin(ctx, a, "imap", a.IMAP, d.imapStartTLS)
	if err != nil {
		return nil, err
	}
	defer g.cancel()
	c := imapclient.New(newTraceConn(g.conn, "imap", d.Trace), &imapclient.Options{
		UnilateralDataHandler: opts.UnilateralDataHandler,
	})
	cl := &IMAPClient{Client: c, Account: a, Quirks: a.Quirks()}
	stage, err := d.imapHandshake(cl, g.password)
	if err := g.finish(stage, err, c.Close); err != nil {
		return nil, err
	}
	return cl, nil
}

// imapStartTLS reads the greeting and upgrades with STARTTLS by hand, so
// that the wire trace sees cleartext on both sides of the upgrade. The
// greeting is replayed to the IMAP client without its pre-TLS capability
// list, which RFC 3501 §6.2.1 says must be discarded.
func (d *Dialer) imapStartTLS(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, Stage, error) {
	pt := newTraceConn(raw, "imap", d.Trace)
	br := bufio.NewReader(pt)
	greeting, err := readLine(br)
	if err != nil {
		return nil, StageGreeting, err
	}
	switch {
	case strings.HasPrefix(greeting, "* PREAUTH"):
		return nil, StageGreeting, errors.New("account: server sent PREAUTH before TLS")
	case !strings.HasPrefix(greeting, "* OK"):
		return nil, StageGreeting, fmt.Errorf("account: unexpected greeting %q", truncate(greeting, 200))
	}
	if _, err := fmt.Fprintf(pt, "M0 STARTTLS\r\n"); err != nil {
		return nil, StageSTARTTLS, err
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, StageSTARTTLS, err
		}
		if !strings.HasPrefix(line, "M0 ") {
			continue
		}
		if !strings.HasPrefix(line, "M0 OK") {
			return nil, StageSTARTTLS, fmt.Errorf("%w: %s", ErrNoSTARTTLS, truncate(line, 200))
		}
		break
	}
	if br.Buffered() > 0 {
		// Bytes after the OK would be injected into the TLS session.
		return nil, StageSTARTTLS, errors.New("account: server sent data after STARTTLS OK")
	}
	tc, err := d.handshake(ctx, raw, cfg)
	if err != nil {
		return nil, StageTLS, err
	}
	return &prefixConn{Conn: tc, prefix: []byte(stripCapabilityCode(greeting) + "\r\n")}, "", nil
}

var capabilityCode = regexp.MustCompile(`(?i)\[CAPABILITY [^\]]*\]\s*`)

func stripCapabilityCode(greeting string) string {
	return capabilityCode.ReplaceAllString(greeting, "")
}

// imapHandshake waits for the greeting, sends ID and logs in.
func (d *Dialer) imapHandshake(cl *IMAPClient, password string) (Stage, error) {
	c := cl.Client
	if err := c.WaitGreeting(); err != nil {
		return StageGreeting, err
	}
	if c.State() == imap.ConnStateAuthenticated && cl.Account.IMAP.Security != SecurityTLS {
		return StageGreeting, errors.New("account: refusing PREAUTH without implicit TLS")
	}
	caps := c.Caps()
	if caps == nil {
		return StageGreeting, errors.New("account: no capability list")
	}
	sentID := false
	if caps.Has(imap.CapID) || cl.Quirks.NeedsID {
		// A failed pre-login ID is not fatal: some servers only take it
		// after login, and the post-login attempt below covers those.
		if id, err := c.ID(d.clientID()).Wait(); err == nil {
			sentID, cl.ServerID = true, id
			if isCoremail(id) {
				cl.Quirks.NeedsID = true
			}
		}
	}
	if c.State() != imap.ConnStateAuthenticated {
		if err := imapLogin(c, cl.Account, password); err != nil {
			return StageLogin, err
		}
	}
	caps = c.Caps()
	if cl.Quirks.NeedsID || (!sentID && caps.Has(imap.CapID)) {
		id, err := c.ID(d.clientID()).Wait()
		if err != nil && cl.Quirks.NeedsID {
			return StageID, err
		}
		if err == nil && cl.ServerID == nil {
			cl.ServerID = id
		}
	}
	if caps.Has("XLIST") && !caps.Has(imap.CapSpecialUse) {
		cl.Quirks.XList = true
	}
	return "", nil
}

func (d *Dialer) clientID() *imap.IDData {
	v := d.Version
	if v == "" {
		v = "dev"
	}
	return &imap.IDData{Name: "Magpie", Version: v, Vendor: "Magpie"}
}

// isCoremail tells NetEase's Coremail servers by their ID answer.
func isCoremail(id *imap.IDData) bool {
	if id == nil {
		return false
	}
	s := strings.ToLower(id.Name + " " + id.Vendor)
	return strings.Contains(s, "coremail") || strings.Contains(s, "mailtech") || strings.Contains(s, "netease")
}

// imapLogin authenticates with SASL PLAIN where possible, else LOGIN.
func imapLogin(c *imapclient.Client, a Account, password string) error {
	caps := c.Caps()
	plain := caps.Has(imap.AuthCap(sasl.Plain))
	user := a.LoginName()
	if a.AuthorizeAs != "" {
		if !plain {
			return ErrNoAuthzid
		}
		return c.Authenticate(newPlainClient(a.AuthorizeAs, user, password))
	}
	if plain {
		err := c.Authenticate(newPlainClient("", user, password))
		if err == nil || !plainUnsupported(err) || caps.Has(imap.CapLoginDisabled) {
			return err
		}
	} else if caps.Has(imap.CapLoginDisabled) {
		return ErrLoginDisabled
	}
	return c.Login(user, password).Wait()
}

// plainClient is SASL PLAIN (RFC 4616) that also accepts its empty first
// challenge written as "=" (the RFC 4959 spelling of an empty response,
// which some servers, go-imap's among them, send as a challenge) where
// RFC 3501 §6.2.2 has an empty continuation.
type plainClient struct {
	sasl.Client
	initial []byte
}

func newPlainClient(authzid, user, password string) sasl.Client {
	inner := sasl.NewPlainClient(authzid, user, password)
	_, ir, _ := inner.Start()
	return &plainClient{Client: inner, initial: ir}
}

func (p *plainClient) Next(challenge []byte) ([]byte, error) {
	if len(challenge) == 0 {
		return p.initial, nil
	}
	return p.Client.Next(challenge)
}

var unsupportedText = regexp.MustCompile(`(?i)mechanism|not supported|unsupported|unknown command|not implemented`)

// plainUnsupported tells a server that advertises AUTH=PLAIN but cannot do
// it from one that refused the credentials: only the first gets a second
// try with LOGIN, so a wrong password never counts twice against lockouts.
func plainUnsupported(err error) bool {
	var ie *imap.Error
	if !errors.As(err, &ie) {
		return false
	}
	if ie.Type == imap.StatusResponseTypeBad {
		return true
	}
	return ie.Code == "" && unsupportedText.MatchString(ie.Text)
}

// ctxErr prefers the context's reason when the connection was closed
// because the context ended.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
