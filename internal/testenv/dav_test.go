package testenv

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// propfindWellKnown asks /.well-known/caldav, follows the redirect by hand
// and returns the status of a depth-0 PROPFIND on its target.
func propfindWellKnown(t *testing.T, s *DAVServer, user, password string) int {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(u string) *http.Response {
		body := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`
		req, err := http.NewRequestWithContext(t.Context(), "PROPFIND", u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Depth", "0")
		req.Header.Set("Content-Type", "application/xml")
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := do(s.URL + ".well-known/caldav")
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		t.Fatalf("%s: /.well-known/caldav: status %d, want a redirect", s.Name, resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("%s: redirect without location: %v", s.Name, err)
	}
	base, _ := url.Parse(s.URL)
	if loc.Host != base.Host {
		t.Fatalf("%s: redirect to %s leaves the server %s", s.Name, loc, base.Host)
	}
	return do(loc.String()).StatusCode
}

func TestRadicaleWellKnownPropfind(t *testing.T) {
	t.Parallel()
	s := Radicale(t)
	user, password := s.NewUser(t)
	if got := propfindWellKnown(t, s, user, password); got != http.StatusMultiStatus {
		t.Fatalf("PROPFIND after redirect: status %d, want 207\n%s", got, logTail(s.logPath, 20))
	}
}

func TestRadicaleRejectsWrongPassword(t *testing.T) {
	t.Parallel()
	s := Radicale(t)
	user, _ := s.NewUser(t)
	if got := propfindWellKnown(t, s, user, "wrong"); got != http.StatusUnauthorized {
		t.Fatalf("PROPFIND with a wrong password: status %d, want 401", got)
	}
}

func TestXandikosWellKnownPropfind(t *testing.T) {
	t.Parallel()
	s := Xandikos(t)
	if got := propfindWellKnown(t, s, "", ""); got != http.StatusMultiStatus {
		t.Fatalf("PROPFIND after redirect: status %d, want 207\n%s", got, logTail(s.logPath, 20))
	}
}

func TestXandikosDefaultCalendarExists(t *testing.T) {
	t.Parallel()
	s := Xandikos(t)
	req, err := http.NewRequestWithContext(t.Context(), "PROPFIND", s.CalendarURL, strings.NewReader(
		`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s: status %d, want 207", s.CalendarURL, resp.StatusCode)
	}
}
