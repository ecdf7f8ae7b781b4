package account

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/magpie-mail/magpie/internal/fakedns"
	"github.com/magpie-mail/magpie/internal/testcert"
)

// webHosts are the names the fake web server answers for (and its
// certificate covers); any other host is unreachable.
func webHosts() []string {
	return []string{
		"autoconfig.ac.test", "autoconfig.st.test", "autoconfig.wk.test", "wk.test",
		"autoconfig.redir.test", "redir.test", "evil.test", "autoconfig.plain.test",
	}
}

// fakeWeb serves autoconfig files over TLS (certificate from a throwaway CA
// the client trusts) and, for plain.test, over plain http. It returns a
// client whose dialer routes the test hosts to those servers, and a log of
// requested URLs.
func fakeWeb(t *testing.T) (*http.Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var log []string
	serve := func(w http.ResponseWriter, r *http.Request, file string) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(readFixture(t, file))
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		mu.Lock()
		log = append(log, scheme+"://"+r.Host+r.URL.RequestURI())
		mu.Unlock()
		switch r.Host + r.URL.Path {
		case "autoconfig.ac.test/mail/config-v1.1.xml":
			if r.URL.Query().Get("emailaddress") != "li.lei@ac.test" {
				http.Error(w, "emailaddress missing", http.StatusBadRequest)
				return
			}
			serve(w, r, "full.xml")
		case "autoconfig.st.test/mail/config-v1.1.xml":
			serve(w, r, "starttls.xml")
		case "wk.test/.well-known/autoconfig/mail/config-v1.1.xml":
			serve(w, r, "wellknown.xml")
		case "autoconfig.redir.test/mail/config-v1.1.xml":
			http.Redirect(w, r, "https://evil.test/config.xml", http.StatusFound)
		case "redir.test/.well-known/autoconfig/mail/config-v1.1.xml":
			http.Redirect(w, r, "/moved/config.xml", http.StatusMovedPermanently)
		case "redir.test/moved/config.xml":
			serve(w, r, "wellknown.xml")
		case "evil.test/config.xml":
			serve(w, r, "hosted-exmail.xml")
		case "autoconfig.plain.test/mail/config-v1.1.xml":
			if r.TLS != nil {
				http.NotFound(w, r)
				return
			}
			serve(w, r, "starttls.xml")
		default:
			http.NotFound(w, r)
		}
	})

	ca, err := testcert.NewCA("magpie discover test")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Server(webHosts()...)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pair.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	secure := httptest.NewUnstartedServer(handler)
	secure.TLS = tlsCfg
	secure.StartTLS()
	t.Cleanup(secure.Close)
	plain := httptest.NewServer(handler)
	t.Cleanup(plain.Close)

	known := map[string]bool{}
	for _, h := range webHosts() {
		known[h] = true
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil || !known[host] {
				return nil, fmt.Errorf("test network: no route to %s", addr)
			}
			target := secure.Listener.Addr().String()
			if port == "80" {
				target = plain.Listener.Addr().String()
			}
			var d net.Dialer
			return d.DialContext(ctx, network, target)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

// testZone is the DNS data all discovery tests share.
func testZone() []string {
	return []string{
		// srv.test: RFC 6186 records. _imap has the better priority but
		// implicit TLS is preferred (RFC 8314 §5.1); _submissions is "." (not
		// offered), so STARTTLS submission is used.
		"_imaps._tcp.srv.test. 300 IN SRV 10 1 993 mail.srv.test.",
		"_imap._tcp.srv.test. 300 IN SRV 0 1 143 mail.srv.test.",
		"_submissions._tcp.srv.test. 300 IN SRV 0 0 0 .",
		"_submission._tcp.srv.test. 300 IN SRV 0 1 587 smtp.srv.test.",
		// dot.test: everything explicitly not offered, and a null MX (RFC 7505).
		"_imaps._tcp.dot.test. 300 IN SRV 0 0 0 .",
		"_imap._tcp.dot.test. 300 IN SRV 0 0 0 .",
		"dot.test. 300 IN MX 0 .",
		// ex.test: a hosted domain whose MX is Tencent Exmail's.
		"ex.test. 300 IN MX 10 mxbiz1.qq.com.",
		"ex.test. 300 IN MX 20 mxbiz2.qq.com.",
		// own.test: MX at its own server, no SRV, no autoconfig.
		"own.test. 300 IN MX 10 mx.own.test.",
	}
}

// newTestDiscoverer wires a Discoverer to the fake DNS and web servers.
func newTestDiscoverer(t *testing.T) (Discoverer, func() []string) {
	client, log := fakeWeb(t)
	return Discoverer{Resolver: fakedns.Start(t, testZone()...), HTTPClient: client}, log
}

func TestDiscoverPresetDomain(t *testing.T) {
	// No network at all: the preset answers.
	d := Discoverer{Resolver: failingResolver{t}, HTTPClient: &http.Client{Transport: failingTransport{t}}}
	got, err := d.Discover(t.Context(), "zhang.san@qq.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != SourcePresetDomain || got.Provider != "qq" || got.IMAP != (Endpoint{"imap.qq.com", 993, SecurityTLS}) || got.Username != "zhang.san@qq.com" {
		t.Errorf("got %+v", got)
	}
	if len(got.Tried) != 1 || got.Tried[0].Err != nil {
		t.Errorf("Tried = %+v", got.Tried)
	}
}

func TestDiscoverAutoconfig(t *testing.T) {
	d, log := newTestDiscoverer(t)
	got, err := d.Discover(t.Context(), "li.lei@ac.test")
	if err != nil {
		t.Fatal(err)
	}
	want := Discovery{
		IMAP: Endpoint{"imap.ac.test", 993, SecurityTLS}, POP3: Endpoint{"pop.ac.test", 995, SecurityTLS},
		SMTP: Endpoint{"smtp.ac.test", 465, SecurityTLS}, Username: "li.lei", Source: SourceAutoconfig,
	}
	got.Tried = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if l := log(); len(l) != 1 || l[0] != "https://autoconfig.ac.test/mail/config-v1.1.xml?emailaddress=li.lei%40ac.test" {
		t.Errorf("requests = %q", l)
	}

	got, err = d.Discover(t.Context(), "han@st.test")
	if err != nil {
		t.Fatal(err)
	}
	if got.IMAP != (Endpoint{"mail.st.test", 143, SecuritySTARTTLS}) || got.SMTP != (Endpoint{"mail.st.test", 587, SecuritySTARTTLS}) || got.Username != "han@st.test" {
		t.Errorf("STARTTLS config: %+v", got)
	}
}

func TestDiscoverWellKnownFallback(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	got, err := d.Discover(t.Context(), "u@wk.test")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != SourceAutoconfig || got.IMAP != (Endpoint{"imap.wk.test", 993, SecurityTLS}) {
		t.Errorf("got %+v", got)
	}
	methods := attemptsOf(got.Tried)
	if want := "preset-domain wk.test; autoconfig https://autoconfig.wk.test/mail/config-v1.1.xml?emailaddress=u%40wk.test; autoconfig https://wk.test/.well-known/autoconfig/mail/config-v1.1.xml"; methods != want {
		t.Errorf("tried %s\nwant  %s", methods, want)
	}
	if !errors.Is(got.Tried[1].Err, ErrHTTPStatus) {
		t.Errorf("first autoconfig error = %v; want ErrHTTPStatus", got.Tried[1].Err)
	}
}

func TestDiscoverRedirects(t *testing.T) {
	d, log := newTestDiscoverer(t)
	got, err := d.Discover(t.Context(), "u@redir.test")
	if err != nil {
		t.Fatal(err)
	}
	// The cross-host redirect to evil.test is refused (its file would have
	// named Exmail's servers); the same-host one is followed.
	if got.IMAP.Host != "imap.wk.test" || got.Provider != "" {
		t.Errorf("got %+v", got)
	}
	if e := got.Tried[1].Err; e == nil || !strings.Contains(e.Error(), "another host") {
		t.Errorf("cross-host redirect error = %v", e)
	}
	for _, u := range log() {
		if strings.Contains(u, "evil.test") {
			t.Errorf("followed a redirect to another host: %s", u)
		}
	}
}

func TestDiscoverPlainHTTPOnlyWhenAllowed(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	_, err := d.Discover(t.Context(), "u@plain.test")
	var de *DiscoveryError
	if !errors.As(err, &de) {
		t.Fatalf("without AllowHTTP: err = %v; want *DiscoveryError", err)
	}
	for _, a := range de.Tried {
		if strings.HasPrefix(a.Target, "http://") {
			t.Errorf("plain http tried without AllowHTTP: %s", a.Target)
		}
	}
	d.AllowHTTP = true
	got, err := d.Discover(t.Context(), "u@plain.test")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Unverified || got.IMAP.Host != "mail.plain.test" {
		t.Errorf("with AllowHTTP: %+v", got)
	}
}

func TestDiscoverSRV(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	got, err := d.Discover(t.Context(), "u@srv.test")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != SourceSRV || got.Username != "u@srv.test" ||
		got.IMAP != (Endpoint{"mail.srv.test", 993, SecurityTLS}) ||
		got.SMTP != (Endpoint{"smtp.srv.test", 587, SecuritySTARTTLS}) || !got.POP3.IsZero() {
		t.Errorf("got %+v", got)
	}
	tried := attemptsOf(got.Tried)
	if !strings.Contains(tried, "srv _submissions._tcp.srv.test; srv _submission._tcp.srv.test") {
		t.Errorf("submission order: %s", tried)
	}
	for _, a := range got.Tried {
		if a.Target == "_submissions._tcp.srv.test" && !errors.Is(a.Err, ErrNoServers) {
			t.Errorf(`"." target not read as "not offered": %v`, a.Err)
		}
		if a.Target == "_imap._tcp.srv.test" {
			t.Error("STARTTLS IMAP asked although implicit TLS was offered")
		}
	}
}

func TestDiscoverMXExmail(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	got, err := d.Discover(t.Context(), "ceo@ex.test")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != SourceMX || got.Provider != "exmail" || got.IMAP != (Endpoint{"imap.exmail.qq.com", 993, SecurityTLS}) || got.Username != "ceo@ex.test" {
		t.Errorf("got %+v", got)
	}
}

func TestDiscoverTotalFailure(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	for _, email := range []string{"u@nowhere.test", "u@dot.test", "u@own.test"} {
		_, err := d.Discover(t.Context(), email)
		var de *DiscoveryError
		if !errors.As(err, &de) {
			t.Fatalf("%s: err = %v; want *DiscoveryError", email, err)
		}
		domain := email[2:]
		want := "preset-domain " + domain +
			"; autoconfig https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=u%40" + domain +
			"; autoconfig https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml" +
			"; srv _imaps._tcp." + domain + "; srv _imap._tcp." + domain +
			"; srv _pop3s._tcp." + domain + "; srv _pop3._tcp." + domain +
			"; mx " + domain
		if got := attemptsOf(de.Tried); got != want {
			t.Errorf("%s: tried\n %s\nwant\n %s", email, got, want)
		}
		msg := err.Error()
		for _, a := range de.Tried {
			if a.Err == nil {
				t.Errorf("%s: failed attempt without error: %+v", email, a)
			}
			if !strings.Contains(msg, a.Target) {
				t.Errorf("%s: error text does not mention %s: %s", email, a.Target, msg)
			}
		}
		if !strings.HasPrefix(msg, "account: ") || !errors.Is(err, ErrNoPreset) {
			t.Errorf("%s: error %q", email, msg)
		}
	}
}

func TestDiscoverBadAddressAndCancel(t *testing.T) {
	d, _ := newTestDiscoverer(t)
	for _, email := range []string{"", "nobody", "@x.test", "u@", "u@localhost", "u@bad_host!.test"} {
		if _, err := d.Discover(t.Context(), email); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Discover(%q) err = %v; want ErrInvalidValue", email, err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := d.Discover(ctx, "u@nowhere.test"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func attemptsOf(tried []Attempt) string {
	parts := make([]string, len(tried))
	for i, a := range tried {
		parts[i] = a.Method + " " + a.Target
	}
	return strings.Join(parts, "; ")
}

// failingResolver and failingTransport fail the test if discovery touches
// the network when it should not.
type failingResolver struct{ t *testing.T }

func (f failingResolver) LookupSRV(context.Context, string, string, string) (string, []*net.SRV, error) {
	f.t.Error("unexpected SRV lookup")
	return "", nil, errors.New("no network in this test")
}

func (f failingResolver) LookupMX(context.Context, string) ([]*net.MX, error) {
	f.t.Error("unexpected MX lookup")
	return nil, errors.New("no network in this test")
}

type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected HTTP request %s", r.URL)
	return nil, errors.New("no network in this test")
}
