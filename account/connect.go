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
