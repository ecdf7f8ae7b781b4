package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// harness runs the command line in-process with its own XDG dirs.
type harness struct {
	t       *testing.T
	home    string
	env     map[string]string
	secrets account.SecretStore
	dialer  account.Dialer
}

func newHarness(t *testing.T, lang string) *harness {
	home := t.TempDir()
	return &harness{t: t, home: home, secrets: &account.MemorySecrets{}, env: map[string]string{
		"HOME": home, "LANG": lang, "XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_DATA_HOME": filepath.Join(home, "data"), "XDG_CACHE_HOME": filepath.Join(home, "cache"),
	}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv:  func(k string) string { return h.env[k] },
		Secrets: h.secrets, Dialer: h.dialer, Version: "test",
	})
	return result{code, out.String(), errOut.String()}
}

func (h *harness) configPath() string {
	return filepath.Join(h.home, "config", "magpie", "config.toml")
}

func TestUsageErrorsExit2(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	for _, args := range [][]string{
		{"account", "add"},      // no NAME
		{"account", "add", "x"}, // no --email
		{"account", "add", "x", "--email", "a@b.test", "--bogus"},
		{"account", "add", "x", "--email", "a@b.test", "--provider", "exmail", "--password-stdin", "--password-cmd", "c"},
		{"account", "add", "x", "--email", "a@b.test", "--provider", "exmail", "--security", "tlss", "--password-stdin"},
		{"account", "add", "x", "--email", "a@b.test", "--provider", "nope", "--password-stdin"},
		{"account", "add", "x", "--email", "a@b.test", "--provider", "exmail", "--alias", "not-an-address"},
		{"account", "add", "x", "--email", "a@b.test", "--provider", "exmail"}, // no password source, no terminal
		{"account", "test"},
		{"account", "remove", "a", "b"},
		{"nosuchcommand"},
	} {
		r := h.run("", args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: stderr should point to --help: %q", args, r.stderr)
		}
	}
	if _, err := os.Stat(h.configPath()); err == nil {
		t.Error("a usage error wrote the config")
	}
}

func TestAddListRemove(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	r := h.run("授权码-123\n", "account", "add", "work", "--email", "chen@corp.test", "--provider", "exmail",
		"--name", "陈明", "--alias", "sales@corp.test=销售部", "--alias", "chen.ming@corp.test", "--group", "all@corp.test=全体",
		"--password-stdin")
	if r.code != ExitOK {
		t.Fatalf("add: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "已添加账户 work") {
		t.Errorf("add output not in Chinese: %q", r.stdout)
	}
	if got, err := h.secrets.Get(context.Background(), "work"); err != nil || got != "授权码-123" {
		t.Fatalf("secret = %q, %v", got, err)
	}
	r = h.run("", "account", "add", "biz", "--email", "sales@corp.test", "--kind", "business",
		"--imap", "imap.corp.test:993", "--smtp", "smtp.corp.test:587", "--password-cmd", "pass show mail/biz")
	if r.code != ExitOK {
		t.Fatalf("add biz: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cfg, err := account.LoadConfig(h.configPath())
	if err != nil {
		t.Fatal(err)
	}
	biz, _ := cfg.Account("biz")
	if biz.Kind != account.KindBusiness || biz.IMAP.Security != account.SecurityTLS || biz.SMTP.Security != account.SecuritySTARTTLS || biz.PasswordCmd == "" {
		t.Errorf("biz account = %+v", biz)
	}
	work, _ := cfg.Account("work")
	if work.Provider != "exmail" || work.IMAP.Host == "" || len(work.Aliases) != 2 || work.Aliases[0].Name != "销售部" || len(work.Groups) != 1 {
		t.Errorf("work account = %+v", work)
	}
	raw, _ := os.ReadFile(h.configPath())
	if strings.Contains(string(raw), "授权码-123") {
		t.Fatal("the password reached the config file")
	}

	r = h.run("", "account", "list")
	if r.code != ExitOK {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	// Columns line up in terminal cells even with Chinese headers and names.
	col := func(line, cell string) int {
		i := strings.Index(line, cell)
		if i < 0 {
			t.Fatalf("%q not in %q", cell, line)
		}
		return lipgloss.Width(line[:i])
	}
	if col(lines[0], "邮箱") != col(lines[1], "chen@corp.test") {
		t.Errorf("email column misaligned:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "别名 sales@corp.test (销售部)") || !strings.Contains(r.stdout, "公共邮箱") {
		t.Errorf("list lacks identities or kinds:\n%s", r.stdout)
	}
	r = h.run("", "account", "list", "--json")
	if r.code != ExitOK || !strings.Contains(r.stdout, `"password": "command"`) || strings.Contains(r.stdout, "授权码-123") {
		t.Errorf("list --json:\n%s", r.stdout)
	}

	if r = h.run("", "account", "add", "work", "--email", "x@corp.test", "--provider", "exmail", "--password-stdin"); r.code != ExitFailure || !strings.Contains(r.stderr, "已有名为") {
		t.Errorf("duplicate add: %d %s", r.code, r.stderr)
	}
	if r = h.run("", "account", "remove", "work"); r.code != ExitOK {
		t.Fatalf("remove: %d %s", r.code, r.stderr)
	}
	if _, err := h.secrets.Get(context.Background(), "work"); err == nil {
		t.Error("remove left the secret behind")
	}
	if r = h.run("", "account", "remove", "work"); r.code != ExitFailure || !strings.Contains(r.stderr, "没有名为") {
		t.Errorf("removing twice: %d %s", r.code, r.stderr)
	}
}

func TestNoKeyringSuggestsPasswordCmd(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	h.secrets = account.Keyring{Getenv: func(string) string { return "" }} // no D-Bus session at all
	r := h.run("secret\n", "account", "add", "work", "--email", "chen@corp.test", "--provider", "qq", "--password-stdin")
	if r.code != ExitFailure {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "--password-cmd") || !strings.Contains(r.stderr, "No OS keyring") {
		t.Errorf("message should say what happened and suggest --password-cmd: %q", r.stderr)
	}
	if _, err := os.Stat(h.configPath()); err == nil {
		t.Error("config written although the secret could not be stored")
	}
}

func TestBrokenConfigNamesFileLineAndKey(t *testing.T) {
	for _, lang := range []string{"en_US.UTF-8", "zh_CN.UTF-8"} {
		h := newHarness(t, lang)
		os.MkdirAll(filepath.Dir(h.configPath()), 0o700)
		os.WriteFile(h.configPath(), []byte("[[account]]\nname = \"a\"\nemail = \"a@b.test\"\n  [account.imap]\n  host = \"h\"\n  port = 993\n  securty = \"tls\"\n"), 0o600)
		r := h.run("", "account", "list")
		if r.code != ExitFailure {
			t.Fatalf("exit %d", r.code)
		}
		for _, want := range []string{h.configPath(), "7", "account[1].imap.securty"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q: %q", lang, want, r.stderr)
			}
		}
	}
}

func TestHelpSpeaksTheUsersLanguage(t *testing.T) {
	zh := newHarness(t, "zh_CN.UTF-8").run("", "account", "add", "--help")
	en := newHarness(t, "zh_CN.UTF-8").run("", "--lang", "en", "account", "add", "--help")
	if zh.code != 0 || en.code != 0 {
		t.Fatalf("help exit codes %d %d", zh.code, en.code)
	}
	for _, want := range []string{"用法：", "选项：", "客户端专用密码", "--password-cmd"} {
		if !strings.Contains(zh.stdout, want) {
			t.Errorf("zh help lacks %q:\n%s", want, zh.stdout)
		}
	}
	for _, want := range []string{"Usage:", "Flags:", "client password", "--password-cmd"} {
		if !strings.Contains(en.stdout, want) {
			t.Errorf("en help lacks %q:\n%s", want, en.stdout)
		}
	}
	if r := newHarness(t, "en_US.UTF-8").run(""); r.code != 0 || !strings.Contains(r.stdout, "account") {
		t.Errorf("bare magpie: %d %q", r.code, r.stdout)
	}
}

// TestEveryProblemIsWorded covers the keys built at run time ("diag."+problem…).
func TestEveryProblemIsWorded(t *testing.T) {
	problems := []account.Problem{account.ProblemWrongPassword, account.ProblemIMAPDisabled, account.ProblemUnsafeLogin,
		account.ProblemAccountLocked, account.ProblemTLS, account.ProblemNotTLS, account.ProblemNoGreeting, account.ProblemNoSTARTTLS, account.ProblemRefused,
		account.ProblemTimeout, account.ProblemDNS, account.ProblemNoPassword, account.ProblemKeyring,
		account.ProblemPasswordCmd, account.ProblemUnavailable, account.ProblemAuthzid, account.ProblemCanceled, account.ProblemUnknown}
	roles := []account.Role{account.RoleInbox, account.RoleSent, account.RoleDrafts, account.RoleTrash, account.RoleJunk,
		account.RoleArchive, account.RoleAll, account.RoleFlagged, account.RoleVirus}
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		p := i18n.New(lang)
		check := func(key string, args ...any) {
			if got := p.T(key, args...); got == key || strings.Contains(got, "%!") {
				t.Errorf("%s: %q is not worded (%q)", lang, key, got)
			}
		}
		for _, pr := range problems {
			check("diag."+string(pr), "x")
			check("fix."+string(pr), "x")
		}
		for _, r := range roles {
			check("role." + string(r))
		}
		for _, k := range []account.Kind{account.KindMember, account.KindBusiness} {
			check("account.kind." + string(k))
		}
		for _, k := range []account.IdentityKind{account.IdentityAlias, account.IdentityGroup} {
			check("account.identity."+string(k), "x")
		}
	}
}
