package account

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/magpie-mail/magpie/internal/testcert"
)

const (
	testUser     = "me@example.test"
	testPassword = "pa55-授权码"
)

type imapFixture struct {
	ca   *testcert.CA
	port int
}

// startMemIMAP runs go-imap's in-memory server on 127.0.0.1 with the given
// security; the certificate is for 127.0.0.1, signed by a fresh CA.
func startMemIMAP(t *testing.T, security Security) imapFixture {
	t.Helper()
	ca, err := testcert.NewCA("magpie test CA")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Server("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pair.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(testUser, testPassword)
	for _, name := range []string{"INBOX", "Sent", "草稿箱", "客户邮件", "客户邮件/2024"} {
		if err := u.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: security == SecurityInsecurePlain,
		Logger:       discardLogger{},
	}
	if security == SecuritySTARTTLS {
		opts.TLSConfig = tlsCfg
	}
	srv := imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if security == SecurityTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return imapFixture{ca: ca, port: ln.Addr().(*net.TCPAddr).Port}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

func (f imapFixture) account(security Security) Account {
	return Account{Name: "t", Email: testUser, Kind: KindMember,
		IMAP: Endpoint{Host: "127.0.0.1", Port: f.port, Security: security}}
}

func (f imapFixture) dialer() *Dialer {
	s := &MemorySecrets{}
	_ = s.Set(context.Background(), "t", testPassword)
	return &Dialer{Secrets: s, RootCAs: f.ca.Pool(), Timeout: 5 * time.Second}
}

func TestDialIMAPSecurities(t *testing.T) {
	for _, sec := range []Security{SecurityTLS, SecuritySTARTTLS, SecurityInsecurePlain} {
		t.Run(string(sec), func(t *testing.T) {
			f := startMemIMAP(t, sec)
			d := f.dialer()
			var trace bytes.Buffer
			d.Trace = &trace
			c, err := d.DialIMAP(context.Background(), f.account(sec), nil)
			if err != nil {
				t.Fatalf("DialIMAP: %v", err)
			}
			defer c.Close()
			if c.State() != imap.ConnStateAuthenticated {
				t.Fatalf("state = %v", c.State())
			}
			if _, err := c.Select("客户邮件/2024", nil).Wait(); err != nil {
				t.Fatalf("select a nested Chinese folder: %v", err)
			}
			if strings.Contains(trace.String(), testPassword) {
				t.Fatalf("password in the trace:\n%s", trace.String())
			}
			if sec == SecuritySTARTTLS && !strings.Contains(trace.String(), "C: M0 STARTTLS") {
				t.Errorf("trace lacks the STARTTLS exchange:\n%s", trace.String())
			}
			if !strings.Contains(trace.String(), "[credentials redacted]") {
				t.Errorf("trace lacks the redacted login:\n%s", trace.String())
			}
		})
	}
}

func TestDialIMAPFailuresAreDiagnosed(t *testing.T) {
	tlsSrv := startMemIMAP(t, SecurityTLS)
	plainSrv := startMemIMAP(t, SecurityInsecurePlain)
	other, err := testcert.NewCA("someone else")
	if err != nil {
		t.Fatal(err)
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	cases := []struct {
		name    string
		mutate  func(*Dialer, *Account)
		problem Problem
		stage   Stage
	}{
		{"untrusted certificate", func(d *Dialer, a *Account) { d.RootCAs = other.Pool() }, ProblemTLS, StageTLS},
		{"wrong host name", func(d *Dialer, a *Account) {
			d.NetDial = func(ctx context.Context, n, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, n, "127.0.0.1:"+strconv.Itoa(tlsSrv.port))
			}
			a.IMAP.Host = "imap.elsewhere.test"
		}, ProblemTLS, StageTLS},
		{"wrong password", func(d *Dialer, a *Account) { _ = d.Secrets.Set(context.Background(), "t", "nope") }, ProblemWrongPassword, StageLogin},
		{"no password stored", func(d *Dialer, a *Account) { d.Secrets = &MemorySecrets{} }, ProblemNoPassword, StageSecret},
		{"password command fails", func(d *Dialer, a *Account) { a.PasswordCmd = "echo oops >&2; exit 3" }, ProblemPasswordCmd, StageSecret},
		{"connection refused", func(d *Dialer, a *Account) { a.IMAP.Port = closedPort }, ProblemRefused, StageConnect},
		{"no greeting", func(d *Dialer, a *Account) {
			d.Timeout = 300 * time.Millisecond
			a.IMAP.Port = silent.Addr().(*net.TCPAddr).Port
			a.IMAP.Security = SecurityInsecurePlain
		}, ProblemNoGreeting, StageGreeting},
		{"dns", func(d *Dialer, a *Account) {
			d.NetDial = func(context.Context, string, string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "imap.nowhere.test", IsNotFound: true}}
			}
		}, ProblemDNS, StageDNS},
		{"tls to a plaintext port", func(d *Dialer, a *Account) {
			d.Timeout = 2 * time.Second
			a.IMAP.Port = plainSrv.port
		}, ProblemNotTLS, StageTLS},
		{"starttls to a tls port", func(d *Dialer, a *Account) {
			d.Timeout = 300 * time.Millisecond
			a.IMAP.Security = SecuritySTARTTLS
		}, ProblemNoGreeting, StageGreeting},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, a := tlsSrv.dialer(), tlsSrv.account(SecurityTLS)
			tc.mutate(d, &a)
			c, err := d.DialIMAP(context.Background(), a, nil)
			if err == nil {
				c.Close()
				t.Fatal("DialIMAP succeeded")
			}
			var ce *ConnError
			if !errors.As(err, &ce) || ce.Stage != tc.stage {
				t.Errorf("err = %v, want a ConnError at stage %s", err, tc.stage)
			}
			if got := Diagnose(err); got.Problem != tc.problem {
				t.Errorf("Diagnose = %s (%v), want %s", got.Problem, err, tc.problem)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("password in the error: %v", err)
			}
		})
	}
}

func TestDialIMAPCancelled(t *testing.T) {
	f := startMemIMAP(t, SecurityTLS)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.dialer().DialIMAP(ctx, f.account(SecurityTLS), nil)
	if got := Diagnose(err).Problem; got != ProblemCanceled {
		t.Fatalf("Diagnose = %s (%v), want canceled", got, err)
	}
}

func TestProbeListsFoldersWithRoles(t *testing.T) {
	f := startMemIMAP(t, SecurityTLS)
	r := f.dialer().Probe(context.Background(), f.account(SecurityTLS))
	if r.IMAPErr != nil || r.FoldersErr != nil {
		t.Fatalf("probe: %v %v", r.IMAPErr, r.FoldersErr)
	}
	if !r.SMTPSkipped || !r.OK() {
		t.Errorf("no SMTP configured: skipped=%v ok=%v", r.SMTPSkipped, r.OK())
	}
	roles := map[string]Role{}
	for _, fi := range r.Folders {
		roles[fi.Name] = fi.Role
		if fi.Err != nil {
			t.Errorf("folder %s: %v", fi.Name, fi.Err)
		}
	}
	want := map[string]Role{"INBOX": RoleInbox, "Sent": RoleSent, "草稿箱": RoleDrafts, "客户邮件": RoleNone, "客户邮件/2024": RoleNone}
	for name, role := range want {
		if got, ok := roles[name]; !ok || got != role {
			t.Errorf("folder %q role = %q (listed %v), want %q", name, got, ok, role)
		}
	}
	if r.Folders[0].Name != "INBOX" {
		t.Errorf("INBOX not first: %+v", r.Folders)
	}
}
