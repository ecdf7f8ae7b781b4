package account

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/internal/testcert"
)

// smtpBackend accepts testUser/testPassword with the mechanisms it offers
// and records the authorization identity it saw.
type smtpBackend struct {
	mechs []string
	mu    sync.Mutex
	authz []string
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct{ b *smtpBackend }

func (s *smtpSession) AuthMechanisms() []string { return s.b.mechs }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(identity, user, pass string) error {
		if user != testUser || pass != testPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		s.b.mu.Lock()
		s.b.authz = append(s.b.authz, identity)
		s.b.mu.Unlock()
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(check), nil
	case sasl.Login:
		return newLoginServer(func(u, p string) error { return check("", u, p) }), nil
	}
	return nil, &smtp.SMTPError{Code: 504, Message: "mechanism not supported"}
}

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (s *smtpSession) Reset()                               {}
func (s *smtpSession) Logout() error                        { return nil }

// loginServer is the server half of the obsolete but common SASL LOGIN
// mechanism, which go-sasl provides only as a client.
type loginServer struct {
	step         int
	user         string
	authenticate func(user, pass string) error
}

func newLoginServer(f func(user, pass string) error) sasl.Server {
	return &loginServer{authenticate: f}
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if resp != nil {
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.authenticate(l.user, string(resp))
	}
}

func startSMTP(t *testing.T, security Security, mechs ...string) (imapFixture, *smtpBackend) {
	t.Helper()
	ca, err := testcert.NewCA("smtp test CA")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Server("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pair.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	be := &smtpBackend{mechs: mechs}
	srv := smtp.NewServer(be)
	srv.Domain = "smtp.example.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = security == SecurityInsecurePlain
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch security {
	case SecurityTLS:
		ln = tls.NewListener(ln, cfg)
	case SecuritySTARTTLS:
		srv.TLSConfig = cfg
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return imapFixture{ca: ca, port: ln.Addr().(*net.TCPAddr).Port}, be
}

func TestDialSMTP(t *testing.T) {
	cases := []struct {
		name     string
		security Security
		mechs    []string
		authzid  string
		wantErr  error
	}{
		{"implicit tls plain", SecurityTLS, []string{sasl.Plain, sasl.Login}, "", nil},
		{"starttls plain", SecuritySTARTTLS, []string{sasl.Plain}, "", nil},
		{"login only", SecurityTLS, []string{sasl.Login}, "", nil},
		{"authorization identity", SecuritySTARTTLS, []string{sasl.Plain}, "shared@example.test", nil},
		{"authzid without plain", SecurityTLS, []string{sasl.Login}, "shared@example.test", ErrNoAuthzid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, be := startSMTP(t, tc.security, tc.mechs...)
			d := f.dialer()
			var trace bytes.Buffer
			d.Trace = &trace
			a := Account{Name: "t", Email: testUser, AuthorizeAs: tc.authzid,
				SMTP: Endpoint{Host: "127.0.0.1", Port: f.port, Security: tc.security}}
			c, err := d.DialSMTP(context.Background(), a)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DialSMTP: %v\n%s", err, trace.String())
			}
			if err := c.Noop(); err != nil {
				t.Fatal(err)
			}
			c.Quit()
			if strings.Contains(trace.String(), testPassword) {
				t.Fatalf("password in trace:\n%s", trace.String())
			}
			be.mu.Lock()
			defer be.mu.Unlock()
			if tc.authzid != "" && (len(be.authz) != 1 || be.authz[0] != tc.authzid) {
				t.Errorf("server saw authorization identities %q, want %q", be.authz, tc.authzid)
			}
		})
	}
}

func TestDialSMTPWrongPasswordIsNotRetried(t *testing.T) {
	f, _ := startSMTP(t, SecurityTLS, sasl.Plain, sasl.Login)
	d := f.dialer()
	_ = d.Secrets.Set(context.Background(), "t", "wrong")
	var trace bytes.Buffer
	d.Trace = &trace
	a := Account{Name: "t", Email: testUser, SMTP: Endpoint{Host: "127.0.0.1", Port: f.port, Security: SecurityTLS}}
	_, err := d.DialSMTP(context.Background(), a)
	if got := Diagnose(err); got.Problem != ProblemWrongPassword || got.Protocol != "smtp" {
		t.Fatalf("Diagnose = %+v (%v)", got, err)
	}
	if n := strings.Count(trace.String(), "C: AUTH"); n != 1 {
		t.Errorf("AUTH sent %d times, want once (a refused password must not count twice):\n%s", n, trace.String())
	}
}

func TestDialSMTPNoSTARTTLS(t *testing.T) {
	f, _ := startSMTP(t, SecurityInsecurePlain, sasl.Plain)
	a := Account{Name: "t", Email: testUser, SMTP: Endpoint{Host: "127.0.0.1", Port: f.port, Security: SecuritySTARTTLS}}
	_, err := f.dialer().DialSMTP(context.Background(), a)
	if got := Diagnose(err).Problem; got != ProblemNoSTARTTLS {
		t.Fatalf("Diagnose = %s (%v)", got, err)
	}
}
