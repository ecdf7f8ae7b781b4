package account

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestSieveSetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	explicit := sampleAccount("explicit")
	explicit.Sieve, err = ParseSieveSetting("sieve.example.test:4190")
	if err != nil {
		t.Fatal(err)
	}
	off := sampleAccount("off")
	off.Sieve, _ = ParseSieveSetting("none")
	preset := sampleAccount("preset")
	preset.Provider = "exmail"
	for _, a := range []Account{explicit, off, sampleAccount("discover"), preset} {
		if err := cfg.AppendAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		addr             string
		discovered, have bool
	}{
		"explicit": {"sieve.example.test:4190", false, true},
		"off":      {"", false, false},
		"discover": {"imap.example.test:4190", true, true},
		"preset":   {"", false, false},
	}
	for _, a := range got.Accounts {
		e, disc, ok := a.SieveEndpoint()
		w := want[a.Name]
		if ok != w.have || disc != w.discovered || (ok && (e.Addr() != w.addr || e.Security != SecuritySTARTTLS)) {
			t.Errorf("%s: %v %v %v, want %+v", a.Name, e, disc, ok, w)
		}
	}
	if _, err := ParseSieveSetting("nohost"); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("bad setting: %v", err)
	}
	if _, err := ParseConfig("c.toml", []byte("[[account]]\nname='a'\nemail='a@b.c'\nsieve='x'\n[account.imap]\nhost='h'\nport=993\nsecurity='tls'\n")); err == nil {
		t.Fatal("bad sieve value accepted")
	}
}
