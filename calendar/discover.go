package calendar

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Collection is one calendar collection (RFC 4791 §4.2) as the server
// describes it.
type Collection struct {
	URL        string   // absolute
	Name       string   // DAV:displayname; may be empty
	Color      string   // Apple calendar-color, e.g. "#FF2968FF"; may be empty
	ReadOnly   bool     // the current user lacks DAV:write / write-content
	Components []string // supported-calendar-component-set, e.g. VEVENT, VTODO; empty: any
	CTag       string   // CalendarServer getctag, "" when not offered
	SyncToken  string   // RFC 6578 sync-token of the collection, "" when not asked (collectionProps) or offered
	// SyncCollection reports the sync-collection REPORT in the
	// supported-report-set (RFC 6578 §3.1).
	SyncCollection bool
}

// HasEvents reports whether the collection may hold VEVENTs.
func (c Collection) HasEvents() bool {
	if len(c.Components) == 0 {
		return true
	}
	for _, n := range c.Components {
		if strings.EqualFold(n, "VEVENT") {
			return true
		}
	}
	return false
}

// Discovery is what Discover found.
type Discovery struct {
	Context   string // the URL discovery settled on (after the well-known redirect)
	Principal string // "" when the server named none (a bare collection URL)
	Home      string // calendar-home-set; "" with a bare collection URL
	Calendars []Collection
}

// ErrNoCalendars: discovery reached the server but found no calendar
// collection; the member can type a collection URL (QQ lists none).
var ErrNoCalendars = errors.New("calendar: no calendars found")

// collectionProps asks for a collection's description and its getctag,
// the one "nothing changed" check Sync makes. Not DAV:sync-token: a server
// may work as hard for it as for the ctag (Radicale reads every item for
// each), and the sync-collection REPORT that needs the token answers with
// the new one.
const collectionProps = `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" ` +
	`xmlns:cs="http://calendarserver.org/ns/" xmlns:ic="http://apple.com/ns/ical/"><d:prop>` +
	`<d:displayname/><d:resourcetype/><ic:calendar-color/><cs:getctag/>` +
	`<d:current-user-privilege-set/><c:supported-calendar-component-set/><d:supported-report-set/>` +
	`</d:prop></d:propfind>`

// Discover finds the calendars reachable from start, an https URL of a
// server, context path or collection. It tries, in order:
//
//  1. start + /.well-known/caldav (RFC 6764 §5), redirects followed with the
//     PROPFIND kept, when start has no path;
//  2. DAV:current-user-principal on start (RFC 5397);
//  3. the principal's CALDAV:calendar-home-set (RFC 4791 §6.2.1), then a
//     Depth 1 PROPFIND of the home for calendar collections;
//  4. failing a principal, start itself as a calendar collection.
//
// It returns ErrNoCalendars (wrapped) when the server answered but nothing
// was found, and an *HTTPError (ErrUnauthorized…) when it refused.
func (c *Client) Discover(ctx context.Context, start string) (*Discovery, error) {
	base, err := url.Parse(start)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("calendar: discover %q: not an absolute URL", start)
	}
	var tries []string
	if base.Path == "" || base.Path == "/" {
		tries = append(tries, base.ResolveReference(&url.URL{Path: "/.well-known/caldav"}).String())
	}
	tries = append(tries, base.String())
	var lastErr error
	for _, t := range tries {
		ctxURL, principal, err := c.findPrincipal(ctx, t)
		if err != nil {
			if errors.Is(err, ErrUnauthorized) || ctx.Err() != nil {
				return nil, err
			}
			lastErr = err
			continue
		}
		if principal == "" {
			lastErr = fmt.Errorf("calendar: %s names no principal: %w", ctxURL, ErrNoCalendars)
			continue
		}
		home, err := c.findHome(ctx, principal)
		if err != nil {
			return nil, err
		}
		cals, err := c.ListCalendars(ctx, home)
		if err != nil {
			return nil, err
		}
		d := &Discovery{Context: ctxURL, Principal: principal, Home: home, Calendars: cals}
		if len(cals) == 0 {
			return d, fmt.Errorf("calendar: home %s: %w", home, ErrNoCalendars)
		}
		return d, nil
	}
	// A hand-typed collection URL: the server may name no principal there.
	col, err := c.Collection(ctx, base.String())
	if err == nil {
		return &Discovery{Context: col.URL, Calendars: []Collection{col}}, nil
	}
	if errors.Is(err, ErrUnauthorized) {
		return nil, err
	}
	if lastErr == nil {
		lastErr = err
	}
	return nil, lastErr
}

// findPrincipal PROPFINDs current-user-principal on u; it returns the URL
// the answer came from (after redirects) and the principal URL ("" when
// none).
func (c *Client) findPrincipal(ctx context.Context, u string) (string, string, error) {
	ms, r, err := c.xmlDo(ctx, "PROPFIND", u, "0",
		`<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`)
	if err != nil {
		return "", "", err
	}
	for _, resp := range ms.Responses {
		if p := resp.prop().Principal; p != nil && len(p.Hrefs) > 0 {
			return r.URL.String(), resolve(r.URL, p.Hrefs[0]), nil
		}
	}
	return r.URL.String(), "", nil
}

func (c *Client) findHome(ctx context.Context, principal string) (string, error) {
	ms, r, err := c.xmlDo(ctx, "PROPFIND", principal, "0",
		`<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/></d:prop></d:propfind>`)
	if err != nil {
		return "", err
	}
	for _, resp := range ms.Responses {
		if h := resp.prop().HomeSet; h != nil && len(h.Hrefs) > 0 {
			return resolve(r.URL, h.Hrefs[0]), nil
		}
	}
	return "", fmt.Errorf("calendar: principal %s has no calendar-home-set: %w", principal, ErrNoCalendars)
}

// ListCalendars lists the calendar collections directly under home.
func (c *Client) ListCalendars(ctx context.Context, home string) ([]Collection, error) {
	ms, r, err := c.xmlDo(ctx, "PROPFIND", home, "1", collectionProps)
	if err != nil {
		return nil, err
	}
	var out []Collection
	for _, resp := range ms.Responses {
		p := resp.prop()
		if p.ResourceType == nil || p.ResourceType.Calendar == nil {
			continue
		}
		out = append(out, toCollection(resolve(r.URL, resp.href()), p))
	}
	return out, nil
}

// Collection describes the calendar collection at u; a resource that is
// not a calendar answers ErrNotFound (wrapped).
func (c *Client) Collection(ctx context.Context, u string) (Collection, error) {
	ms, r, err := c.xmlDo(ctx, "PROPFIND", u, "0", collectionProps)
	if err != nil {
		return Collection{}, err
	}
	for _, resp := range ms.Responses {
		p := resp.prop()
		if p.ResourceType != nil && p.ResourceType.Calendar != nil {
			return toCollection(resolve(r.URL, resp.href()), p), nil
		}
	}
	return Collection{}, fmt.Errorf("calendar: %s is not a calendar collection: %w", u, ErrNotFound)
}

func toCollection(u string, p davProp) Collection {
	col := Collection{URL: u, Name: strings.TrimSpace(p.DisplayName), Color: strings.TrimSpace(p.Color),
		CTag: strings.TrimSpace(p.CTag), SyncToken: strings.TrimSpace(p.SyncToken)}
	if p.Privileges != nil {
		col.ReadOnly = true
		for _, pr := range p.Privileges.Privilege {
			in := pr.Inner
			if strings.Contains(in, "write") || strings.Contains(in, ":all") || strings.Contains(in, "<all") || strings.Contains(in, "bind") {
				col.ReadOnly = false
			}
		}
	}
	if p.Components != nil {
		for _, comp := range p.Components.Comp {
			col.Components = append(col.Components, strings.ToUpper(comp.Name))
		}
	}
	if p.Reports != nil && strings.Contains(p.Reports.Inner, "sync-collection") {
		col.SyncCollection = true
	}
	return col
}

// Resolver is the DNS lookups Discover needs; *net.Resolver is one.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// LookupURLs returns the CalDAV context URLs DNS advertises for domain
// (RFC 6764 §3, §4): each _caldavs._tcp SRV target, with the path from the
// TXT record's "path=" when one is published, else the well-known path.
// Plain _caldav (no TLS) is not used: a password would cross in clear. A
// target of "." (the service is not offered) yields nothing.
func LookupURLs(ctx context.Context, r Resolver, domain string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, srvs, err := r.LookupSRV(ctx, "caldavs", "tcp", domain)
	if err != nil {
		return nil, fmt.Errorf("calendar: SRV _caldavs._tcp.%s: %w", domain, err)
	}
	path := "/.well-known/caldav"
	if txts, err := r.LookupTXT(ctx, "_caldavs._tcp."+domain); err == nil {
		for _, t := range txts {
			if p, ok := strings.CutPrefix(strings.TrimSpace(t), "path="); ok && strings.HasPrefix(p, "/") {
				path = p
			}
		}
	}
	var out []string
	for _, s := range srvs {
		host := strings.TrimSuffix(s.Target, ".")
		if host == "" || s.Port == 0 {
			continue
		}
		u := url.URL{Scheme: "https", Host: host, Path: path}
		if s.Port != 443 {
			u.Host = net.JoinHostPort(host, strconv.Itoa(int(s.Port)))
		}
		out = append(out, u.String())
	}
	return out, nil
}
