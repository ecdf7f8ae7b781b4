package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleAccount(name string) Account {
	return Account{
		Name: name, Email: name + "@example.test", DisplayName: "陈明", Kind: KindMember,
		IMAP:    Endpoint{Host: "imap.example.test", Port: 993, Security: SecurityTLS},
		SMTP:    Endpoint{Host: "smtp.example.test", Port: 587, Security: SecuritySTARTTLS},
		Aliases: []Identity{{Address: "sales@example.test", Name: "销售部", Kind: IdentityAlias}},
		Groups:  []Identity{{Address: "team@example.test", Kind: IdentityGroup}},
	}
}

func TestAppendLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magpie", "config.toml")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	work := sampleAccount("work")
	biz := sampleAccount("sales")
	biz.Kind, biz.PasswordCmd, biz.AuthorizeAs = KindBusiness, "pass show mail/sales", "shared@example.test"
	biz.Bodies = BodyPolicy{Mode: BodiesRecent, Days: 30}
	biz.Aliases = nil
	for _, a := range []Account{work, biz} {
		if err := cfg.AppendAccount(a); err != nil {
			t.Fatalf("append %s: %v", a.Name, err)
		}
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Accounts, []Account{work, biz}) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got.Accounts, []Account{work, biz})
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config mode = %v, want 0600", info.Mode().Perm())
	}
	if err := cfg.AppendAccount(work); !errors.Is(err, ErrDuplicate) {
		t.Errorf("appending a duplicate name: err = %v, want ErrDuplicate", err)
	}
}

func TestConfigErrorsNameLineAndKey(t *testing.T) {
	base := `# my accounts
language = "en"

[[account]]
name = "home"
email = "me@example.test"
  [account.imap]
  host = "imap.example.test"
  port = 993
  security = "tls"

[[account]]
name = "work"
email = "chen@example.test"
`
	cases := []struct {
		name     string
		tail     string
		line     int
		key      string
		sentinel error
	}{
		{"unknown key", "pasword = \"x\"\n", 15, "account[2].pasword", ErrUnknownKey},
		{"bad security", "  [account.imap]\n  host = \"h\"\n  port = 993\n  security = \"tlss\"\n", 18, "account[2].imap.security", ErrInvalidValue},
		{"port not a number", "  [account.imap]\n  host = \"h\"\n  port = \"abc\"\n", 17, "account[2].imap.port", ErrInvalidValue},
		{"bad port", "  [account.imap]\n  host = \"h\"\n  port = 70000\n  security = \"tls\"\n", 17, "account[2].imap.port", ErrInvalidValue},
		{"missing imap", "kind = \"business\"\n", 12, "account[2].imap", ErrMissing},
		{"syntax", "  [account.imap\n", 15, "", ErrSyntax},
		{"too many aliases", "  [account.imap]\n  host = \"h\"\n  port = 993\n  security = \"tls\"\n" +
			strings.Repeat("  [[account.alias]]\n  address = \"a@b.test\"\n", 1) +
			"  [[account.alias]]\n  address = \"b@b.test\"\n  [[account.alias]]\n  address = \"c@b.test\"\n" +
			"  [[account.alias]]\n  address = \"d@b.test\"\n  [[account.alias]]\n  address = \"e@b.test\"\n" +
			"  [[account.alias]]\n  address = \"f@b.test\"\n", 12, "account[2].alias", ErrTooManyAliases},
		{"bad alias", "  [account.imap]\n  host = \"h\"\n  port = 993\n  security = \"tls\"\n  [[account.alias]]\n  address = \"not an address\"\n", 20, "account[2].alias[1].address", ErrInvalidValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("/cfg.toml", []byte(base+tc.tail))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if ce.File != "/cfg.toml" || ce.Line != tc.line || (tc.key != "" && ce.Key != tc.key) {
				t.Errorf("got file %q line %d key %q, want line %d key %q (%v)", ce.File, ce.Line, ce.Key, tc.line, tc.key, err)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.sentinel)
			}
		})
	}
}

func TestDuplicateAccountNames(t *testing.T) {
	data := `
[[account]]
name = "a"
email = "a@example.test"
imap = { host = "h", port = 993, security = "tls" }

[[account]]
name = "a"
email = "b@example.test"
imap = { host = "h", port = 993, security = "tls" }
`
	_, err := ParseConfig("c.toml", []byte(data))
	var ce *ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, ErrDuplicate) || ce.Line != 8 || ce.Key != "account[2].name" {
		t.Fatalf("err = %v (%+v), want duplicate at line 8 account[2].name", err, ce)
	}
}

func TestRemoveAccountKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	data := `# Magpie config, hand-written
language = "zh-CN"

# home mailbox
[[account]]
name = "home"
email = "me@example.test"
  [account.imap]
  host = "imap.example.test"
  port = 993
  security = "tls"

# the work one, with an alias
[[account]]
name = "work"
email = "chen@example.test"
  [account.imap]
  host = "imap.example.test"
  port = 993
  security = "tls"
  [[account.alias]]
  address = "sales@example.test"

# last
[[account]]
name = "last"
email = "last@example.test"
imap = { host = "h", port = 143, security = "starttls" } # inline
`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.RemoveAccount("work"); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	for _, want := range []string{"# Magpie config, hand-written", "# home mailbox", "# last", `name = "home"`, `name = "last"`, "# inline"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("after remove, file lost %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"work", "sales@", "the work one"} {
		if strings.Contains(string(out), gone) {
			t.Errorf("after remove, file still has %q:\n%s", gone, out)
		}
	}
	again, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Accounts) != 2 || again.Accounts[0].Name != "home" || again.Accounts[1].Name != "last" {
		t.Fatalf("accounts after remove = %+v", again.Accounts)
	}
	if err := again.RemoveAccount("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a missing account: %v", err)
	}
	if err := again.RemoveAccount("last"); err != nil {
		t.Fatal(err)
	}
	final, err := LoadConfig(path)
	if err != nil || len(final.Accounts) != 1 || final.Language != "zh-CN" {
		t.Fatalf("after removing the last block: %+v, %v", final, err)
	}
}

func TestMissingConfigIsEmpty(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join(t.TempDir(), "none.toml"))
	if err != nil || len(cfg.Accounts) != 0 {
		t.Fatalf("missing config: %+v, %v", cfg, err)
	}
}

func TestResolvePaths(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	getenv := func(k string) string { return env[k] }
	p, err := ResolvePaths(getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := Paths{ConfigDir: "/home/u/.config/magpie", DataDir: "/home/u/.local/share/magpie", CacheDir: "/home/u/.cache/magpie"}
	if p != want {
		t.Errorf("defaults = %+v", p)
	}
	env["XDG_CONFIG_HOME"], env["XDG_DATA_HOME"], env["XDG_CACHE_HOME"] = "/x/c", "relative/ignored", "/x/k"
	p, _ = ResolvePaths(getenv)
	want = Paths{ConfigDir: "/x/c/magpie", DataDir: "/home/u/.local/share/magpie", CacheDir: "/x/k/magpie"}
	if p != want || p.ConfigFile() != "/x/c/magpie/config.toml" {
		t.Errorf("xdg = %+v", p)
	}
	if _, err := ResolvePaths(func(string) string { return "" }); !errors.Is(err, ErrNoHome) {
		t.Errorf("no HOME: %v", err)
	}
}

func TestCalendarSettingsAndBinding(t *testing.T) {
	data := "language = \"zh-CN\"\n[calendar]\nweek_start = \"sunday\"\nlunar = false\n\n" +
		"[[account]]\nname = \"feishu\"\nemail = \"me@example.cn\"\nprovider = \"feishu\"\n" +
		"[account.imap]\nhost = \"imap.feishu.cn\"\nport = 993\nsecurity = \"tls\"\n" +
		"[account.caldav]\nurl = \"https://caldav.feishu.cn/me\"\nusername = \"me_caldav\"\nseparate_password = true\n"
	cfg, err := ParseConfig("c.toml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Calendar.WeekStart != time.Sunday || cfg.Calendar.Lunar == nil || *cfg.Calendar.Lunar {
		t.Fatalf("calendar settings: %+v", cfg.Calendar)
	}
	a := cfg.Accounts[0]
	if a.CalDAV.URL != "https://caldav.feishu.cn/me" || a.CalDAVUsername() != "me_caldav" || !a.CalDAV.SeparatePassword {
		t.Fatalf("binding: %+v", a.CalDAV)
	}
	secrets := &MemorySecrets{}
	_ = secrets.Set(context.Background(), SecretKey("feishu", ""), "mail-pw")
	_ = secrets.Set(context.Background(), SecretKey("feishu", "caldav"), "dav-pw")
	if pw, err := a.CalDAVPassword(context.Background(), secrets); err != nil || pw != "dav-pw" {
		t.Fatalf("separate CalDAV password: %q %v", pw, err)
	}
	a.CalDAV.SeparatePassword = false
	if pw, _ := a.CalDAVPassword(context.Background(), secrets); pw != "mail-pw" {
		t.Fatalf("default CalDAV password: %q", pw)
	}
	// Round trip through Save.
	cfg.Path = filepath.Join(t.TempDir(), "config.toml")
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := LoadConfig(cfg.Path)
	if err != nil || again.Calendar.WeekStart != time.Sunday || again.Accounts[0].CalDAV != cfg.Accounts[0].CalDAV {
		t.Fatalf("round trip: %+v %v", again, err)
	}
	if _, err := ParseConfig("c.toml", []byte("[calendar]\nweek_start = \"friday\"\n")); err == nil {
		t.Fatal("week_start friday accepted")
	}
	bad := strings.Replace(data, "https://caldav.feishu.cn/me", "http://caldav.example.com/", 1)
	if _, err := ParseConfig("c.toml", []byte(bad)); err == nil {
		t.Fatal("plain-http CalDAV URL accepted")
	}
}
