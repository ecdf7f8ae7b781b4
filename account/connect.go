package account

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Stage is the step of connecting at which something failed.
type Stage string

const (
	StageDNS      Stage = "dns"
	StageConnect  Stage = "connect"
	StageTLS      Stage = "tls"
	StageGreeting Stage = "greeting"
	StageSTARTTLS Stage = "starttls"
	StageID       Stage = "id"
	StageLogin    Stage = "login"
	StageSecret   Stage = "secret"
)

// ConnError is a failure to connect an account to one of its servers.
type ConnError struct {
	Account  string
	Protocol string // "imap", "smtp" or "pop3"
	Endpoint Endpoint
	Stage    Stage
	Err      error
}

func (e *ConnError) Error() string {
	return fmt.Sprintf("account: %s %s %s (%s): %v", e.Account, e.Protocol, e.Endpoint.Addr(), e.Stage, e.Err)
}

func (e *ConnError) Unwrap() error { return e.Err }

var (
	// ErrInsecureAuth means a password would have crossed an unencrypted
	// link; only security = "insecure-plain" allows that.
	ErrInsecureAuth = errors.New("refusing to send a password over an unencrypted connection")
	// ErrNoSTARTTLS means the server does not offer STARTTLS although the
	// account requires it.
	ErrNoSTARTTLS = errors.New("server does not offer STARTTLS")
	// ErrNoAuthzid means an authorization identity was configured but the
	// server offers no SASL PLAIN to carry it.
	ErrNoAuthzid = errors.New("server offers no AUTH=PLAIN for an authorization identity")
	// ErrLoginDisabled means the server refuses every login method offered.
	ErrLoginDisabled = errors.New("server disables login")
)

// DefaultTimeout bounds connecting, the TLS handshake and the greeting.
const DefaultTimeout = 30 * time.Second

// Dialer turns accounts into authenticated connections. The zero value is
// usable only for accounts with PasswordCmd; set Secrets for the keyring.
// A Dialer is safe for concurrent use once configured.
type Dialer struct {
	// Secrets is where passwords come from unless an account has PasswordCmd.
	Secrets SecretStore
	// Timeout bounds connecting, TLS and the greeting; 0 means DefaultTimeout.
	Timeout time.Duration
	// Trace, when set, receives a wire log of every connection with
	// credentials redacted.
	Trace io.Writer
	// NetDial replaces net.Dialer.DialContext (tests route names to loopback).
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs replaces the system roots (tests); Account.CAFile adds to them.
	RootCAs *x509.CertPool
	// Version is sent in IMAP ID (RFC 2971) as Magpie's version.
	Version string
}

func (d *Dialer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

// dial opens the TCP connection, naming DNS failures as such.
func (d *Dialer) dial(ctx context.Context, e Endpoint) (net.Conn, Stage, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	var conn net.Conn
	var err error
	if d.NetDial != nil {
		conn, err = d.NetDial(ctx, "tcp", e.Addr())
	} else {
		var nd net.Dialer
		conn, err = nd.DialContext(ctx, "tcp", e.Addr())
	}
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, StageDNS, err
		}
		return nil, StageConnect, err
	}
	return conn, "", nil
}

// tlsConfig builds the client TLS configuration: certificates are always
// verified against the system roots (or RootCAs) plus the account's CAFile.
func (d *Dialer) tlsConfig(a Account, host string) (*tls.Config, error) {
	pool := d.RootCAs
	if a.CAFile != "" {
		pem, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, fmt.Errorf("account: ca_file: %w", err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		} else {
			pool = pool.Clone()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("account: ca_file %s: %w: no PEM certificate", a.CAFile, ErrInvalidValue)
		}
	}
	return &tls.Config{ServerName: host, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// handshake runs the TLS handshake bounded by the dialer's timeout.
func (d *Dialer) handshake(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// closeOnDone closes conn if ctx ends before stop is called, so that a
// blocked read or write during connecting returns at once.
func closeOnDone(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.Close() })
}

// startTLSFunc upgrades a fresh connection with the protocol's STARTTLS.
type startTLSFunc func(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, Stage, error)

// dialing is a connection being set up: the password, the secured
// connection, and the guard that closes it should ctx end before the
// protocol handshake is over.
type dialing struct {
	ctx      context.Context
	cancel   context.CancelFunc
	password string
	conn     net.Conn
	stop     func() bool
	fail     func(Stage, error) error
}

// begin runs the steps every protocol shares: the password, the TCP
// connection and its security (implicit TLS, the protocol's STARTTLS, or
// plaintext only when the endpoint says insecure-plain). The caller must
// call finish, and cancel when done.
func (d *Dialer) begin(ctx context.Context, a Account, proto string, e Endpoint, starttls startTLSFunc) (*dialing, error) {
	g := &dialing{fail: func(stage Stage, err error) error {
		return &ConnError{Account: a.Name, Protocol: proto, Endpoint: e, Stage: stage, Err: err}
	}}
	if e.IsZero() {
		return nil, g.fail(StageConnect, fmt.Errorf("%w: no %s server", ErrMissing, proto))
	}
	password, err := a.Password(ctx, d.Secrets)
	if err != nil {
		return nil, g.fail(StageSecret, err)
	}
	g.password = password
	g.ctx, g.cancel = context.WithTimeout(ctx, 2*d.timeout())
	raw, stage, err := d.dial(g.ctx, e)
	if err != nil {
		g.cancel()
		return nil, g.fail(stage, err)
	}
	g.stop = closeOnDone(g.ctx, raw)
	g.conn, stage, err = d.secure(g.ctx, raw, a, e, starttls)
	if err != nil {
		g.stop()
		raw.Close()
		err = g.fail(stage, ctxErr(g.ctx, err))
		g.cancel()
		return nil, err
	}
	return g, nil
}

// finish ends the guarded handshake: on failure, or when ctx ended
// meanwhile, it closes the connection through closeFn and returns the
// ConnError for stage.
func (g *dialing) finish(stage Stage, err error, closeFn func() error) error {
	if !g.stop() || err != nil {
		closeFn()
		if err == nil {
			err = g.ctx.Err()
		}
		return g.fail(stage, ctxErr(g.ctx, err))
	}
	return nil
}

// secure applies an endpoint's security to a fresh connection.
func (d *Dialer) secure(ctx context.Context, raw net.Conn, a Account, e Endpoint, starttls startTLSFunc) (net.Conn, Stage, error) {
	cfg, err := d.tlsConfig(a, e.Host)
	if err != nil {
		return nil, StageTLS, err
	}
	switch e.Security {
	case SecurityTLS:
		tc, err := d.handshake(ctx, raw, cfg)
		if err != nil {
			return nil, StageTLS, err
		}
		return tc, "", nil
	case SecuritySTARTTLS:
		return starttls(ctx, raw, cfg)
	case SecurityInsecurePlain:
		return raw, "", nil
	}
	return nil, StageConnect, fmt.Errorf("%w: security %q", ErrInvalidValue, e.Security)
}

// IsTLSError reports whether err is a certificate or handshake problem.
func IsTLSError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		recordHdr   tls.RecordHeaderError
	)
	return errors.As(err, &unknownAuth) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &recordHdr)
}
