package account

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSecurity(t *testing.T) {
	for in, want := range map[string]Security{
		"tls": SecurityTLS, " STARTTLS ": SecuritySTARTTLS, "insecure-plain": SecurityInsecurePlain,
	} {
		got, err := ParseSecurity(in)
		if err != nil || got != want {
			t.Errorf("ParseSecurity(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ssl", "plain", "none"} {
		if _, err := ParseSecurity(in); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseSecurity(%q) err = %v; want ErrInvalidValue", in, err)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		def  Security
		want Endpoint
	}{
		{"imap.qq.com:993", SecurityTLS, Endpoint{"imap.qq.com", 993, SecurityTLS}},
		{"mail.example.org:143", SecuritySTARTTLS, Endpoint{"mail.example.org", 143, SecuritySTARTTLS}},
		{"[::1]:1143", SecurityInsecurePlain, Endpoint{"::1", 1143, SecurityInsecurePlain}},
		{"smtp.example.org:587", "", Endpoint{"smtp.example.org", 587, SecuritySTARTTLS}},
		{"smtp.example.org:465", "", Endpoint{"smtp.example.org", 465, SecurityTLS}},
		{" imap.example.org:10993 ", "", Endpoint{"imap.example.org", 10993, SecurityTLS}},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.in, tt.def)
		if err != nil || got != tt.want {
			t.Errorf("ParseEndpoint(%q, %q) = %+v, %v; want %+v", tt.in, tt.def, got, err, tt.want)
		}
	}
	for _, in := range []string{"imap.qq.com", "imap.qq.com:", ":993", "imap.qq.com:0", "imap.qq.com:70000", "imap.qq.com:abc", "a b:1", "user@host:1"} {
		if _, err := ParseEndpoint(in, SecurityTLS); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseEndpoint(%q) err = %v; want ErrInvalidValue", in, err)
		}
	}
	if _, err := ParseEndpoint("h:1", "bogus"); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad default security accepted: %v", err)
	}
}

func TestEndpointAddrAndZero(t *testing.T) {
	if got := (Endpoint{Host: "::1", Port: 993}).Addr(); got != "[::1]:993" {
		t.Errorf("Addr = %q", got)
	}
	if !(Endpoint{}).IsZero() || (Endpoint{Port: 1}).IsZero() {
		t.Error("IsZero wrong")
	}
}

// TestPresetTable checks the table's own invariants: every preset is
// complete, IDs/domains/MX suffixes are unique and normalised, and the
// required presets exist.
func TestPresetTable(t *testing.T) {
	ps := Providers()
	ids := map[string]bool{}
	domains := map[string]string{}
	mx := map[string]string{}
	for _, p := range ps {
		if ids[p.ID] {
			t.Errorf("duplicate ID %q", p.ID)
		}
		ids[p.ID] = true
		if p.Name.ZH == "" || p.Name.EN == "" || p.AppPassword.ZH == "" || p.AppPassword.EN == "" {
			t.Errorf("%s: missing localized text", p.ID)
		}
		for name, e := range map[string]Endpoint{"imap": p.IMAP, "smtp": p.SMTP} {
			if e.IsZero() {
				t.Errorf("%s: no %s endpoint", p.ID, name)
			}
		}
		for name, e := range map[string]Endpoint{"imap": p.IMAP, "smtp": p.SMTP, "pop3": p.POP3} {
			if e.IsZero() {
				continue
			}
			if e.Security == SecurityInsecurePlain {
				t.Errorf("%s %s: presets never use plaintext", p.ID, name)
			}
			if _, err := ParseEndpoint(e.Addr(), e.Security); err != nil {
				t.Errorf("%s %s: %v", p.ID, name, err)
			}
		}
		for _, d := range p.Domains {
			if d != normalizeHost(d) {
				t.Errorf("%s: domain %q not normalised", p.ID, d)
			}
			if other, dup := domains[d]; dup {
				t.Errorf("domain %q in %s and %s", d, other, p.ID)
			}
			domains[d] = p.ID
		}
		for _, s := range p.MXSuffixes {
			if s != normalizeHost(s) {
				t.Errorf("%s: MX suffix %q not normalised", p.ID, s)
			}
			if other, dup := mx[s]; dup {
				t.Errorf("MX suffix %q in %s and %s", s, other, p.ID)
			}
			mx[s] = p.ID
		}
		if p.MaxConnections < 0 || p.Quirks.AppendLimit < 0 {
			t.Errorf("%s: negative limit", p.ID)
		}
		for _, u := range append([]string{p.HelpURL, p.CalDAV}, p.Sources...) {
			if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				t.Errorf("%s: %q is not a URL", p.ID, u)
			}
		}
	}
	for _, id := range []string{"exmail", "qq", "netease-qiye", "163", "126", "aliyun-qiye", "feishu", "lark", "263", "gmail", "outlook"} {
		if !ids[id] {
			t.Errorf("preset %q missing", id)
		}
	}
}

func TestProvidersReturnsCopies(t *testing.T) {
	a := Providers()
	a[0].ID = "mutated"
	a[0].Domains = append(a[0].Domains, "mutated.example")
	if len(a[1].Domains) > 0 {
		a[1].Domains[0] = "mutated.example"
	}
	for _, p := range Providers() {
		if p.ID == "mutated" {
			t.Fatal("Providers shares state between calls")
		}
		for _, d := range p.Domains {
			if d == "mutated.example" {
				t.Fatal("Providers shares slices between calls")
			}
		}
	}
}

func TestLookups(t *testing.T) {
	if p, ok := LookupProvider(" Gmail "); !ok || p.ID != "gmail" {
		t.Errorf("LookupProvider(Gmail) = %q, %v", p.ID, ok)
	}
	if _, ok := LookupProvider(""); ok {
		t.Error("empty ID found")
	}
	for domain, want := range map[string]string{
		"qq.com": "qq", "FOXMAIL.com.": "qq", "163.com": "163", "126.com": "126",
		"gmail.com": "gmail", "hotmail.com": "outlook", "outlook.com": "outlook", "example.org": "",
	} {
		p, ok := ProviderForDomain(domain)
		if ok != (want != "") || p.ID != want {
			t.Errorf("ProviderForDomain(%q) = %q, %v; want %q", domain, p.ID, ok, want)
		}
	}
	for host, want := range map[string]string{
		"mxbiz1.qq.com.":                          "exmail",
		"MXBIZ2.qq.com":                           "exmail",
		"hzmx01.mxmail.netease.com":               "netease-qiye",
		"mx.qiye.163.com":                         "netease-qiye",
		"mxn.mxhichina.com":                       "aliyun-qiye",
		"mx1.qiye.aliyun.com":                     "aliyun-qiye",
		"aspmx.l.google.com":                      "gmail",
		"contoso-com.mail.protection.outlook.com": "outlook",
		"mx.263.net":                              "263",
		"evilqq.com":                              "",
		"mxbiz1.qq.com.evil.example":              "",
		"notmxhichina.com":                        "",
		"":                                        "",
	} {
		p, ok := ProviderForMX(host)
		if ok != (want != "") || p.ID != want {
			t.Errorf("ProviderForMX(%q) = %q, %v; want %q", host, p.ID, ok, want)
		}
	}
}
