package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects bounds the redirects one request follows (RFC 6764 §5 allows
// a chain from /.well-known/caldav to the context path).
const maxRedirects = 5

// maxBody bounds a DAV response body we read into memory.
const maxBody = 64 << 20

// ClientOptions configure a Client. A nil *http.Client means a new one.
type ClientOptions struct {
	HTTP               *http.Client
	Username, Password string
	// UserAgent is sent on every request; NetEase answers only clients that
	// look like Apple's CalendarAgent (see Preset.UserAgent).
	UserAgent string
}

// Client speaks the subset of WebDAV (RFC 4918), CalDAV (RFC 4791) and
// WebDAV sync (RFC 6578) Magpie needs. It follows redirects itself, keeping
// the method and body (Go's client would turn PROPFIND into GET on a
// 301/302, which is what /.well-known/caldav answers on Radicale and
// others), and sends credentials only to the host they were meant for.
//
// A Client is safe for concurrent use; every call blocks until the server
// answers or ctx ends.
type Client struct {
	http       *http.Client
	user, pass string
	userAgent  string
}

// NewClient returns a client for o.
func NewClient(o ClientOptions) *Client {
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{http: &cp, user: o.Username, pass: o.Password, userAgent: o.UserAgent}
}

// HTTPError is a DAV request answered with an unexpected status.
type HTTPError struct {
	Method, URL string
	Status      int
	Body        string // the first bytes of the answer, for diagnosis
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("calendar: %s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
}

// Sentinel errors callers branch on; HTTPError values match them with
// errors.Is.
var (
	// ErrUnauthorized: the server refused the credentials (401).
	ErrUnauthorized = errors.New("calendar: unauthorized")
	// ErrNotFound: the resource does not exist (404, 410).
	ErrNotFound = errors.New("calendar: not found")
	// ErrPrecondition: If-Match / If-None-Match failed (412), directly or
	// inside a 207 multistatus.
	ErrPrecondition = errors.New("calendar: precondition failed")
	// ErrForbidden: the server does not allow this (403, 405).
	ErrForbidden = errors.New("calendar: not allowed")
)

// Is maps statuses to the sentinel errors.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Status == http.StatusGone
	case ErrPrecondition:
		return e.Status == http.StatusPreconditionFailed
	case ErrForbidden:
		return e.Status == http.StatusForbidden || e.Status == http.StatusMethodNotAllowed
	}
	return false
}

// response is a finished request: the final URL after redirects, status,
// headers and body.
type response struct {
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
}

// do sends one request, following redirects with the same method and body.
// Credentials go only to the host of the first URL.
func (c *Client) do(ctx context.Context, method, rawURL string, body []byte, hdr http.Header) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("calendar: url %q: %w", rawURL, err)
	}
	authHost := u.Host
	for range maxRedirects + 1 {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("calendar: %s %s: %w", method, u, err)
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		if body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		}
		if c.userAgent != "" {
			req.Header.Set("User-Agent", c.userAgent)
		}
		if (c.user != "" || c.pass != "") && u.Host == authHost {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("calendar: %s %s: %w", method, u.Redacted(), err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("calendar: %s %s: read: %w", method, u.Redacted(), err)
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc, err := resp.Location()
			if err != nil {
				return nil, fmt.Errorf("calendar: %s %s: redirect without location: %w", method, u.Redacted(), err)
			}
			u = loc
			continue
		}
		return &response{URL: u, Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
	}
	return nil, fmt.Errorf("calendar: %s %s: more than %d redirects", method, rawURL, maxRedirects)
}

// expect turns any status outside ok into an *HTTPError.
func expect(method string, r *response, ok ...int) error {
	for _, s := range ok {
		if r.Status == s {
			return nil
		}
	}
	body := string(r.Body)
	if len(body) > 300 {
		body = body[:300]
	}
	return &HTTPError{Method: method, URL: r.URL.Redacted(), Status: r.Status, Body: body}
}

// multistatus is a DAV:multistatus (RFC 4918 §14.16) with the properties
// Magpie reads.
type multistatus struct {
	Responses []msResponse `xml:"DAV: response"`
	SyncToken string       `xml:"DAV: sync-token"`
}

type msResponse struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Prop   davProp `xml:"DAV: prop"`
	Status string  `xml:"DAV: status"`
}

type hrefList struct {
	Hrefs []string `xml:"DAV: href"`
}

type davProp struct {
	DisplayName  string `xml:"DAV: displayname"`
	ResourceType *struct {
		Calendar   *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
		Collection *struct{} `xml:"DAV: collection"`
	} `xml:"DAV: resourcetype"`
	Principal    *hrefList `xml:"DAV: current-user-principal"`
	HomeSet      *hrefList `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	Color        string    `xml:"http://apple.com/ns/ical/ calendar-color"`
	CTag         string    `xml:"http://calendarserver.org/ns/ getctag"`
	SyncToken    string    `xml:"DAV: sync-token"`
	ETag         string    `xml:"DAV: getetag"`
	CalendarData string    `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	Privileges   *struct {
		Privilege []struct {
			Inner string `xml:",innerxml"`
		} `xml:"DAV: privilege"`
	} `xml:"DAV: current-user-privilege-set"`
	Components *struct {
		Comp []struct {
			Name string `xml:"name,attr"`
		} `xml:"urn:ietf:params:xml:ns:caldav comp"`
	} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
	Reports *struct {
		Inner string `xml:",innerxml"`
	} `xml:"DAV: supported-report-set"`
}

// statusCode reads "HTTP/1.1 404 Not Found" → 404; 0 when unreadable.
func statusCode(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	var n int
	fmt.Sscanf(f[1], "%d", &n)
	return n
}

// prop merges the properties of the response's 2xx propstats.
func (r msResponse) prop() davProp {
	var out davProp
	for _, ps := range r.Propstats {
		if c := statusCode(ps.Status); c != 0 && (c < 200 || c > 299) {
			continue
		}
		p := ps.Prop
		if p.DisplayName != "" {
			out.DisplayName = p.DisplayName
		}
		if p.ResourceType != nil {
			out.ResourceType = p.ResourceType
		}
		if p.Principal != nil {
			out.Principal = p.Principal
		}
		if p.HomeSet != nil {
			out.HomeSet = p.HomeSet
		}
		if p.Color != "" {
			out.Color = p.Color
		}
		if p.CTag != "" {
			out.CTag = p.CTag
		}
		if p.SyncToken != "" {
			out.SyncToken = p.SyncToken
		}
		if p.ETag != "" {
			out.ETag = p.ETag
		}
		if p.CalendarData != "" {
			out.CalendarData = p.CalendarData
		}
		if p.Privileges != nil {
			out.Privileges = p.Privileges
		}
		if p.Components != nil {
			out.Components = p.Components
		}
		if p.Reports != nil {
			out.Reports = p.Reports
		}
	}
	return out
}

func (r msResponse) href() string {
	if len(r.Hrefs) == 0 {
		return ""
	}
	return strings.TrimSpace(r.Hrefs[0])
}

// xmlDo sends an XML request and parses the 207 answer.
func (c *Client) xmlDo(ctx context.Context, method, u, depth, body string) (*multistatus, *response, error) {
	hdr := http.Header{}
	if depth != "" {
		hdr.Set("Depth", depth)
	}
	r, err := c.do(ctx, method, u, []byte(body), hdr)
	if err != nil {
		return nil, nil, err
	}
	if err := expect(method, r, http.StatusMultiStatus); err != nil {
		return nil, r, err
	}
	var ms multistatus
	if err := xml.Unmarshal(r.Body, &ms); err != nil {
		return nil, r, fmt.Errorf("calendar: %s %s: bad multistatus: %w", method, r.URL.Redacted(), err)
	}
	return &ms, r, nil
}

// resolve makes href (often an absolute path) absolute against base.
func resolve(base *url.URL, href string) string {
	h, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return href
	}
	return base.ResolveReference(h).String()
}

// sameURL compares two URLs ignoring a trailing slash.
func sameURL(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// xmlEscape escapes s for an XML text node.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
