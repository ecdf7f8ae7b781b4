package cli

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/fakedns"
)

// noWeb is an HTTP client for which every autoconfig host refuses the
// connection (a closed port on loopback), as a domain without autoconfig does.
func noWeb(t *testing.T) *http.Client {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, closed)
		},
	}}
}

func TestAddDiscoversThroughMX(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	run := func(name, email string) result {
		var out, errOut strings.Builder
		code := Run(context.Background(), []string{"account", "add", name, "--email", email, "--password-stdin"}, Env{
			Stdin: strings.NewReader("pw\n"), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets,
			Discoverer: account.Discoverer{
				Resolver:   fakedns.Start(t, "corp.test. 300 IN MX 10 mxbiz1.qq.com.", "bare.test. 300 IN A 127.0.0.1"),
				HTTPClient: noWeb(t),
			},
		})
		return result{code, out.String(), errOut.String()}
	}
	r := run("corp", "chen@corp.test")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cfg, err := account.LoadConfig(h.configPath())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Account("corp")
	if a.Provider != "exmail" || a.IMAP.Host != "imap.exmail.qq.com" {
		t.Fatalf("discovered %+v", a)
	}

	r = run("bare", "me@bare.test")
	if r.code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Found no server settings for me@bare.test", "autoconfig.bare.test", "_imaps._tcp.bare.test", "--provider", "--imap"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("failure should list what was tried; lacks %q:\n%s", want, r.stderr)
		}
	}
}
