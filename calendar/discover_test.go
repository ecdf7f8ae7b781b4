package calendar

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/internal/fakedns"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// radicaleUser returns a client for a fresh Radicale user with one calendar
// "work" (created with MKCALENDAR) and that calendar's URL.
func radicaleUser(t *testing.T) (*testenv.DAVServer, *Client, string) {
	t.Helper()
	s := testenv.Radicale(t)
	user, pw := s.NewUser(t)
	c := NewClient(ClientOptions{Username: user, Password: pw})
	col := s.URL + user + "/work/"
	if err := c.MkCalendar(t.Context(), col, "工作", "#FF2968FF"); err != nil {
		t.Fatalf("MKCALENDAR: %v\n%s", err, s.LogTail(20))
	}
	return s, c, col
}

func TestDiscoverRadicaleWellKnown(t *testing.T) {
	t.Parallel()
	s, c, col := radicaleUser(t)
	d, err := c.Discover(t.Context(), s.URL)
	if err != nil {
		t.Fatalf("Discover: %v\n%s", err, s.LogTail(20))
	}
	if !strings.HasSuffix(d.Principal, "/") || !strings.HasPrefix(d.Principal, s.URL) {
		t.Errorf("principal %q", d.Principal)
	}
	if len(d.Calendars) != 1 {
		t.Fatalf("calendars: %+v", d.Calendars)
	}
	got := d.Calendars[0]
	if !sameURL(got.URL, col) || got.Name != "工作" || got.Color != "#FF2968FF" || got.ReadOnly || !got.HasEvents() {
		t.Errorf("calendar: %+v", got)
	}
	if !got.SyncCollection || got.CTag == "" {
		t.Errorf("Radicale offers sync-collection and getctag; got %+v", got)
	}
}

func TestDiscoverRadicaleWrongPassword(t *testing.T) {
	t.Parallel()
	s := testenv.Radicale(t)
	user, _ := s.NewUser(t)
	c := NewClient(ClientOptions{Username: user, Password: "wrong"})
	_, err := c.Discover(t.Context(), s.URL)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Discover with a wrong password: %v, want ErrUnauthorized", err)
	}
}

func TestDiscoverXandikosWellKnown(t *testing.T) {
	t.Parallel()
	s := testenv.Xandikos(t)
	c := NewClient(ClientOptions{})
	d, err := c.Discover(t.Context(), s.URL)
	if err != nil {
		t.Fatalf("Discover: %v\n%s", err, s.LogTail(20))
	}
	if !sameURL(d.Principal, s.PrincipalURL) || !sameURL(d.Home, s.CalendarHomeURL) {
		t.Errorf("principal %q home %q", d.Principal, d.Home)
	}
	found := false
	for _, cal := range d.Calendars {
		if sameURL(cal.URL, s.CalendarURL) {
			found = true
			if cal.ReadOnly || !cal.HasEvents() {
				t.Errorf("calendar: %+v", cal)
			}
		}
	}
	if !found {
		t.Fatalf("calendars %+v lack %s", d.Calendars, s.CalendarURL)
	}
}

// A collection URL typed by hand is the fallback when a server names no
// principal (QQ): Discover accepts it as it is.
func TestDiscoverCollectionURL(t *testing.T) {
	t.Parallel()
	_, c, col := radicaleUser(t)
	d, err := c.Discover(t.Context(), col)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Calendars) != 1 || !sameURL(d.Calendars[0].URL, col) {
		t.Fatalf("calendars: %+v", d.Calendars)
	}
}

func TestLookupURLsSRVAndTXT(t *testing.T) {
	t.Parallel()
	r := fakedns.Start(t,
		"_caldavs._tcp.example.com. 60 IN SRV 0 1 8443 dav.example.com.",
		`_caldavs._tcp.example.com. 60 IN TXT "path=/dav/principals/"`,
		"_caldavs._tcp.none.example. 60 IN SRV 0 0 0 .",
	)
	got, err := LookupURLs(context.Background(), r, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "https://dav.example.com:8443/dav/principals/" {
		t.Fatalf("URLs: %q", got)
	}
	got, err = LookupURLs(context.Background(), r, "none.example")
	if err != nil || len(got) != 0 {
		t.Fatalf("a \".\" target: %q, %v", got, err)
	}
	if _, err := LookupURLs(context.Background(), r, "missing.example"); err == nil {
		t.Fatal("no SRV record: want an error")
	}
}
