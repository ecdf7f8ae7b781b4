package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// Syncer keeps one account's calendars in the store's cache. Its methods
// block on the network and the store; one Syncer may be used by one
// goroutine at a time (distinct Syncers run concurrently).
type Syncer struct {
	Client  *Client
	Store   *store.Store
	Account store.AccountID
	// Loc is the member's zone: all-day dates and floating times are
	// placed in it when computing an object's span.
	Loc *time.Location
	// UTCOnly: the server ignores TZID (NetEase); new events are written
	// in UTC.
	UTCOnly bool
	// MultigetBatch is how many objects one calendar-multiget asks for;
	// 0 means the default.
	MultigetBatch int
}

// SyncMethod says how a calendar was brought up to date.
type SyncMethod string

const (
	SyncUnchanged  SyncMethod = "unchanged"       // ctag / sync-token as cached: nothing asked
	SyncCollection SyncMethod = "sync-collection" // RFC 6578
	SyncETags      SyncMethod = "etags"           // Depth 1 getetag listing + multiget
)

// SyncResult reports one calendar's sync.
type SyncResult struct {
	Calendar         store.Calendar
	Method           SyncMethod
	Fetched, Deleted int
}

// multigetBatch is how many objects one calendar-multiget asks for.
const multigetBatch = 100

// SyncAll records the collections (from Discover) in the store, drops
// cached calendars no longer listed, and syncs every collection that may
// hold events.
func (s *Syncer) SyncAll(ctx context.Context, cols []Collection) ([]SyncResult, error) {
	cached, err := s.Store.Calendars(ctx, s.Account)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	var out []SyncResult
	var errs []error
	// The member's queued writes go first, so that the sync brings back
	// their server versions (and any conflict they meet).
	for _, c := range cached {
		var ce *ConflictError
		if _, err := s.Flush(ctx, c); err != nil && !errors.As(err, &ce) {
			errs = append(errs, err)
		}
	}
	for _, col := range cols {
		if !col.HasEvents() {
			continue
		}
		listed[canonical(col.URL)] = true
		res, err := s.Sync(ctx, col)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, res)
	}
	for _, c := range cached {
		if !listed[c.URL] && len(errs) == 0 {
			if err := s.Store.DeleteCalendar(ctx, c.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return out, errors.Join(errs...)
}

// Sync brings one collection's cache up to date: nothing when its ctag
// (or, without one, a sync-token the caller read) is unchanged, an RFC 6578
// sync-collection REPORT from the stored token when offered (restarting
// from scratch when the server forgot the token; without a ctag this is
// the "nothing changed" check, answered by an empty report), else an etag
// listing; changed objects come in calendar-multiget batches.
func (s *Syncer) Sync(ctx context.Context, col Collection) (SyncResult, error) {
	col.URL = canonical(col.URL)
	id, err := s.Store.UpsertCalendar(ctx, store.Calendar{Account: s.Account, URL: col.URL, Name: col.Name,
		Color: col.Color, ReadOnly: col.ReadOnly, Components: strings.Join(col.Components, ",")})
	if err != nil {
		return SyncResult{}, err
	}
	cal, err := s.calendar(ctx, id)
	if err != nil {
		return SyncResult{}, err
	}
	res := SyncResult{Calendar: cal, Method: SyncUnchanged}
	if !cal.LastSync.IsZero() && ((col.CTag != "" && col.CTag == cal.CTag) ||
		(col.CTag == "" && col.SyncToken != "" && col.SyncToken == cal.SyncToken)) {
		return res, nil
	}
	local, err := s.Store.CalETags(ctx, id)
	if err != nil {
		return res, err
	}
	var changed, gone []string
	token := col.SyncToken
	if col.SyncCollection {
		res.Method = SyncCollection
		from := cal.SyncToken
		changed, gone, token, err = s.Client.syncCollection(ctx, col.URL, from)
		if isInvalidToken(err) && from != "" {
			from = ""
			changed, gone, token, err = s.Client.syncCollection(ctx, col.URL, from)
		}
		if err == nil && from == "" { // a full listing: whatever it lacks is gone
			gone = missing(local, changed)
		}
	} else {
		res.Method = SyncETags
		changed, err = s.Client.listETags(ctx, col.URL)
		gone = missing(local, changed)
	}
	if err != nil {
		return res, err
	}
	// Keep only what differs from the cache: "href\x00etag" entries.
	var want []string
	for _, e := range changed {
		href, etag, _ := strings.Cut(e, "\x00")
		if have, ok := local[href]; !ok || have != etag || etag == "" {
			want = append(want, href)
		}
	}
	per := s.MultigetBatch
	if per <= 0 {
		per = multigetBatch
	}
	var zones ZoneCache // the zones of the objects fetched, loaded once
	for i := 0; i < len(want); i += per {
		batch := want[i:min(i+per, len(want))]
		objs, err := s.Client.multiget(ctx, col.URL, batch)
		if err != nil {
			return res, err
		}
		rows := make([]store.CalObject, 0, len(objs))
		for _, o := range objs {
			rows = append(rows, s.rowIn(o, &zones))
		}
		if err := s.Store.PutCalObjects(ctx, id, rows, nil); err != nil {
			return res, err
		}
		res.Fetched += len(rows)
	}
	if len(gone) > 0 {
		if err := s.Store.PutCalObjects(ctx, id, nil, gone); err != nil {
			return res, err
		}
	}
	res.Deleted = len(gone)
	if err := s.Store.SetCalendarState(ctx, id, col.CTag, token, time.Now()); err != nil {
		return res, err
	}
	res.Calendar, err = s.calendar(ctx, id)
	return res, err
}

func (s *Syncer) calendar(ctx context.Context, id store.CalendarID) (store.Calendar, error) {
	cals, err := s.Store.Calendars(ctx, s.Account)
	if err != nil {
		return store.Calendar{}, err
	}
	for _, c := range cals {
		if c.ID == id {
			return c, nil
		}
	}
	return store.Calendar{}, fmt.Errorf("calendar: cached calendar %d: %w", id, store.ErrNotFound)
}

// row turns a fetched object into a cache row, with its brief. An object that does not
// parse is kept (nothing the server holds is dropped) with an empty span,
// so views skip it.
func (s *Syncer) row(o Object) store.CalObject { return s.rowIn(o, nil) }

// rowIn is row with the zones of zc (nil: loaded afresh).
func (s *Syncer) rowIn(o Object, zc *ZoneCache) store.CalObject {
	r := store.CalObject{Href: canonical(o.URL), ETag: o.ETag, Data: o.Data}
	_, series, err := parse(o.Data, s.loc(), zc)
	r.Brief = EncodeBrief(series) // none for an object that does not parse: views skip it
	if err != nil {
		return r
	}
	r.UID = series[0].UID
	for i, se := range series {
		lo, hi, err := se.Span(store.Forever)
		if err != nil {
			continue
		}
		if i == 0 || lo.Before(r.Start) {
			r.Start = lo
		}
		if hi.After(r.End) {
			r.End = hi
		}
	}
	return r
}

func (s *Syncer) loc() *time.Location {
	if s.Loc == nil {
		return time.Local
	}
	return s.Loc
}

// canonical is the one spelling of a resource URL the cache keys by: the
// path decoded and re-encoded the standard way.
func canonical(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return u
	}
	p.RawPath = ""
	return p.String()
}

// missing lists the cached hrefs absent from entries ("href\x00etag").
func missing(local map[string]string, entries []string) []string {
	seen := map[string]bool{}
	for _, e := range entries {
		h, _, _ := strings.Cut(e, "\x00")
		seen[h] = true
	}
	var out []string
	for h := range local {
		if !seen[h] {
			out = append(out, h)
		}
	}
	return out
}

// isInvalidToken: the server no longer knows our sync-token (RFC 6578
// §3.2: 403 or 409 with DAV:valid-sync-token).
func isInvalidToken(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusConflict ||
		strings.Contains(he.Body, "valid-sync-token"))
}

// syncCollection runs RFC 6578 §3.2 from token ("" for an initial sync)
// and returns changed members as "href\x00etag" entries, removed hrefs and
// the new token. A truncated answer (507 on the collection, §3.6) is
// continued with the token it carries.
func (c *Client) syncCollection(ctx context.Context, col, token string) (changed, gone []string, next string, err error) {
	for range 100 {
		body := `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>` +
			xmlEscape(token) + `</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`
		ms, r, err := c.xmlDo(ctx, "REPORT", col, "", body)
		if err != nil {
			return nil, nil, "", err
		}
		truncated := false
		for _, resp := range ms.Responses {
			href := canonical(resolve(r.URL, resp.href()))
			code := statusCode(resp.Status)
			if sameURL(href, col) {
				truncated = truncated || code == http.StatusInsufficientStorage
				continue
			}
			if code == http.StatusNotFound || code == http.StatusGone {
				gone = append(gone, href)
				continue
			}
			changed = append(changed, href+"\x00"+resp.prop().ETag)
		}
		next = ms.SyncToken
		if !truncated || next == "" || next == token {
			return changed, gone, next, nil
		}
		token = next
	}
	return changed, gone, next, nil
}

// listETags lists a collection's members with their ETags (Depth 1
// PROPFIND) as "href\x00etag" entries.
func (c *Client) listETags(ctx context.Context, col string) ([]string, error) {
	ms, r, err := c.xmlDo(ctx, "PROPFIND", col, "1",
		`<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, resp := range ms.Responses {
		href := canonical(resolve(r.URL, resp.href()))
		p := resp.prop()
		if sameURL(href, col) || (p.ResourceType != nil && p.ResourceType.Collection != nil) {
			continue
		}
		out = append(out, href+"\x00"+p.ETag)
	}
	return out, nil
}

// multiget fetches objects by href with calendar-multiget (RFC 4791
// §7.9). Members the server reports missing are left out.
func (c *Client) multiget(ctx context.Context, col string, hrefs []string) ([]Object, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" ` +
		`xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>`)
	for _, h := range hrefs {
		u, err := url.Parse(h)
		if err != nil {
			continue
		}
		b.WriteString("<d:href>" + xmlEscape(u.EscapedPath()) + "</d:href>")
	}
	b.WriteString(`</c:calendar-multiget>`)
	ms, r, err := c.xmlDo(ctx, "REPORT", col, "1", b.String())
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, resp := range ms.Responses {
		p := resp.prop()
		if p.CalendarData == "" {
			continue
		}
		out = append(out, Object{URL: canonical(resolve(r.URL, resp.href())), ETag: p.ETag, Data: p.CalendarData})
	}
	return out, nil
}

// Row is the cache row of a fetched object (UID and the span its
// occurrences cover), for callers that fill the cache themselves
// (benchmarks, imports).
func (s *Syncer) Row(o Object) store.CalObject { return s.row(o) }
