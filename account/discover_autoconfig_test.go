package account

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "discover", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAutoconfig(t *testing.T) {
	tests := []struct {
		file, email string
		want        autoconfig
	}{
		{"full.xml", "li.lei@ac.test", autoconfig{
			ProviderID: "ac.test",
			IMAP:       Endpoint{"imap.ac.test", 993, SecurityTLS}, // SSL preferred over the earlier STARTTLS entry
			POP3:       Endpoint{"pop.ac.test", 995, SecurityTLS},  // %EMAILDOMAIN% expanded
			SMTP:       Endpoint{"smtp.ac.test", 465, SecurityTLS}, // plaintext 25 never chosen
			Username:   "li.lei",                                   // %EMAILLOCALPART% of the chosen IMAP server
		}},
		{"starttls.xml", "han@st.test", autoconfig{
			ProviderID: "st.test",
			IMAP:       Endpoint{"mail.st.test", 143, SecuritySTARTTLS},
			SMTP:       Endpoint{"mail.st.test", 587, SecuritySTARTTLS},
			Username:   "han@st.test",
		}},
		{"pop3-only.xml", "a.b@pop.test", autoconfig{
			ProviderID: "pop.test",
			POP3:       Endpoint{"pop.pop.test", 110, SecuritySTARTTLS},
			Username:   "a.b",
		}},
		{"latin1.xml", "x@latin.test", autoconfig{
			ProviderID: "latin.test",
			IMAP:       Endpoint{"imap.latin.test", 993, SecurityTLS},
			Username:   "x@latin.test",
		}},
		{"hosted-exmail.xml", "boss@hosted.test", autoconfig{
			ProviderID: "hosted.test",
			IMAP:       Endpoint{"imap.exmail.qq.com", 993, SecurityTLS},
			SMTP:       Endpoint{"smtp.exmail.qq.com", 465, SecurityTLS},
			Username:   "boss@hosted.test",
		}},
	}
	for _, tt := range tests {
		got, err := parseAutoconfig(readFixture(t, tt.file), tt.email)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseAutoconfigRejects(t *testing.T) {
	for file, want := range map[string]error{
		"plain-only.xml": ErrNoServers, // only plaintext offered: never chosen automatically
		"bad-hosts.xml":  ErrNoServers, // bad host, port and socketType all skipped
		"truncated.xml":  ErrBadConfig,
		"html.xml":       ErrBadConfig,
	} {
		if _, err := parseAutoconfig(readFixture(t, file), "u@x.test"); !errors.Is(err, want) {
			t.Errorf("%s: err = %v; want %v", file, err, want)
		}
	}
	if _, err := parseAutoconfig(readFixture(t, "full.xml"), "no-at-sign"); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad email: %v", err)
	}
}

func TestAutoconfigDiscoveryMapsPreset(t *testing.T) {
	cfg, err := parseAutoconfig(readFixture(t, "hosted-exmail.xml"), "boss@hosted.test")
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.discovery(); d.Provider != "exmail" || d.Source != SourceAutoconfig {
		t.Errorf("discovery = %+v; want provider exmail from autoconfig", d)
	}
}

// FuzzParseAutoconfig feeds untrusted autoconfig documents to the parser: it
// must never panic, and whatever it accepts must be a usable, protected
// configuration.
func FuzzParseAutoconfig(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "discover"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(readFixture(f, e.Name()), "user@example.test")
	}
	f.Add([]byte(`<clientConfig><emailProvider><incomingServer type="imap"><hostname>%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILLOCALPART%%</username></incomingServer></emailProvider></clientConfig>`), "a@b@c.test")
	f.Fuzz(func(t *testing.T, data []byte, email string) {
		got, err := parseAutoconfig(data, email)
		if err != nil {
			return
		}
		if got.IMAP.IsZero() && got.POP3.IsZero() {
			t.Fatalf("accepted without an incoming server: %+v", got)
		}
		for _, e := range []Endpoint{got.IMAP, got.POP3, got.SMTP} {
			if e.IsZero() {
				continue
			}
			if e.Security != SecurityTLS && e.Security != SecuritySTARTTLS {
				t.Fatalf("unprotected endpoint chosen: %+v", e)
			}
			if !validHostname(e.Host) || e.Port <= 0 || e.Port > 65535 {
				t.Fatalf("bad endpoint accepted: %+v", e)
			}
		}
		if got.Username == "" {
			t.Fatal("empty username")
		}
	})
}
