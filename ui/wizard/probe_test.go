package wizard

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/fakedns"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// smtpBackend accepts quirkserver's test user over AUTH PLAIN.
type smtpBackend struct{}

func (smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession{}, nil }

type smtpSession struct{}

func (smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != quirkserver.TestUser || pass != quirkserver.TestPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		return nil
	}), nil
}
func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }

// startSMTP runs an in-process submission server on loopback.
func startSMTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(smtpBackend{})
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

// servers is a wizard at the password step for quirkserver's test user,
// with servers typed into the manual form (insecure-plain on loopback)
// after discovery found nothing.
func servers(t *testing.T, lang i18n.Lang, cfg *account.Config, secrets account.SecretStore) *driver {
	t.Helper()
	imapSrv, _ := quirkserver.StartTest(t, quirkserver.Plain, nil)
	smtpAddr := startSMTP(t)
	d := newDriver(t, Deps{Printer: printer(lang), Config: cfg, Secrets: secrets, Dialer: &account.Dialer{},
		Discoverer: account.Discoverer{Resolver: fakedns.Start(t), HTTPClient: noWeb(t)}})
	d.pick("")
	d.typ(quirkserver.TestUser)
	d.keys("enter")
	d.wantStep(stepDiscovered)
	d.keys("enter")
	d.wantStep(stepManual)
	d.typ(imapSrv.Addr())
	d.keys("tab", "left") // IMAP security: auto → insecure-plain
	d.keys("tab")
	d.typ(smtpAddr)
	d.keys("tab", "left", "tab", "enter")
	d.wantStep(stepPassword)
	if d.m.acct.IMAP.Security != account.SecurityInsecurePlain || d.m.acct.SMTP.Security != account.SecurityInsecurePlain {
		t.Fatalf("account %+v", d.m.acct)
	}
	return d
}

func TestProbeSaveAndDone(t *testing.T) {
	cfg := emptyConfig(t)
	cfg.Accounts = []account.Account{{Name: "alice"}} // in memory only: the name is taken
	secrets := &account.MemorySecrets{}
	d := servers(t, i18n.EN, cfg, secrets)
	d.typ(quirkserver.TestPassword)
	d.keys("enter")
	d.wantStep(stepProbed)
	d.wantView("✓ IMAP login works (alice@example.cn)", "✓ Found", "INBOX", "inbox", "messages",
		"✓ SMTP login works", "Everything works")
	if _, err := secrets.Get(t.Context(), "alice"); !errors.Is(err, account.ErrSecretNotFound) {
		t.Fatalf("the probe stored the password before saving: %v", err)
	}

	d.keys("enter")
	d.wantStep(stepSync)
	if got := d.m.name.Value(); got != "alice-2" {
		t.Fatalf("default name %q, want alice-2", got)
	}
	d.keys("down", "down") // recent 30 days
	d.keys("tab", "backspace", "backspace")
	d.typ("-cn")
	d.keys("tab", "up", "down") // the chooser has the keys again
	d.keys("enter")
	d.wantStep(stepDone)
	d.wantView("Account alice-cn is added")
	if len(d.out) != 1 {
		t.Fatalf("out %v", d.out)
	}
	done, ok := d.out[0].(DoneMsg)
	if !ok {
		t.Fatalf("out %#v", d.out[0])
	}
	if done.Bodies != (account.BodyPolicy{Mode: account.BodiesRecent, Days: 30}) {
		t.Errorf("bodies %v", done.Bodies)
	}
	if done.Account.Name != "alice-cn" || done.Account.Email != quirkserver.TestUser {
		t.Errorf("account %+v", done.Account)
	}
	if pw, err := secrets.Get(t.Context(), "alice-cn"); err != nil || pw != quirkserver.TestPassword {
		t.Errorf("secret %q, %v", pw, err)
	}
	saved, err := account.LoadConfig(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := saved.Account("alice-cn")
	if !ok || a.IMAP != done.Account.IMAP || a.SMTP != done.Account.SMTP {
		t.Fatalf("config holds %+v", saved.Accounts)
	}
	if d.m.password.Value() != "" {
		t.Error("the password stays in the model after saving")
	}
}

func TestWrongPasswordShowsTheDiagnosis(t *testing.T) {
	p := printer(i18n.ZH)
	d := servers(t, i18n.ZH, emptyConfig(t), &account.MemorySecrets{})
	d.typ("web-password")
	d.keys("enter")
	d.wantStep(stepProbed)
	d.wantView("✗ IMAP 登录失败", "原因：服务器 "+d.m.acct.IMAP.Addr()+" 拒绝了用户名或密码。",
		"怎么办：请确认输入的是客户端专用密码", "✗ SMTP 登录失败", "服务器回复：Authentication failed",
		p.T("wizard.test.retry")[:30])
	if v := d.view(); strings.Contains(v, "web-password") {
		t.Fatalf("the password shows:\n%s", v)
	}

	d.keys("enter") // retype
	d.wantStep(stepPassword)
	if d.m.password.Value() != "" {
		t.Fatal("retyping starts with an empty field")
	}
	d.typ(quirkserver.TestPassword)
	d.keys("enter")
	d.wantStep(stepProbed)
	d.wantView("✓ IMAP 登录成功", "✓ SMTP 登录成功", "一切正常")
	d.keys("esc") // back to the password, kept
	d.wantStep(stepPassword)
	if d.m.password.Value() != quirkserver.TestPassword {
		t.Fatal("going back after success loses the password")
	}
}

func TestKeyringUnavailable(t *testing.T) {
	cfg := emptyConfig(t)
	d := servers(t, i18n.EN, cfg, account.Keyring{Getenv: func(string) string { return "" }})
	d.typ(quirkserver.TestPassword)
	d.keys("enter", "enter")
	d.wantStep(stepSync)
	d.keys("enter")
	d.wantStep(stepSaveFailed)
	d.wantView("No OS keyring is available", "so account alice was not added", "In a terminal, run:",
		"magpie account add alice --email alice@example.cn --imap", "--password-cmd 'pass show mail/alice'",
		"Press enter to try again once a keyring runs")
	if len(d.out) != 0 {
		t.Fatalf("out %v", d.out)
	}
	saved, err := account.LoadConfig(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Accounts) != 0 || len(cfg.Accounts) != 0 {
		t.Fatalf("an account was saved without its password: %+v", saved.Accounts)
	}
	d.keys("enter") // still none
	d.wantStep(stepSaveFailed)
	d.keys("esc")
	d.wantStep(stepSync)
}

func TestConfigFailureRemovesTheSecret(t *testing.T) {
	cfg := &account.Config{Path: t.TempDir()} // a directory: the write fails
	secrets := &account.MemorySecrets{}
	d := servers(t, i18n.EN, cfg, secrets)
	d.typ(quirkserver.TestPassword)
	d.keys("enter", "enter", "enter")
	d.wantStep(stepSaveFailed)
	d.wantView("Could not read or write the config file", "the password just stored was removed")
	if _, err := secrets.Get(t.Context(), "alice"); !errors.Is(err, account.ErrSecretNotFound) {
		t.Fatalf("secret left behind: %v", err)
	}
}
