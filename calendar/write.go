package calendar

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// MkCalendar creates a calendar collection at u (RFC 4791 §5.3.1) with a
// display name and, when color is set, an Apple calendar-color. Servers
// that do not allow it answer ErrForbidden (wrapped).
func (c *Client) MkCalendar(ctx context.Context, u, name, color string) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" ` +
		`xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop>`)
	b.WriteString("<d:displayname>" + xmlEscape(name) + "</d:displayname>")
	if color != "" {
		b.WriteString("<ic:calendar-color>" + xmlEscape(color) + "</ic:calendar-color>")
	}
	b.WriteString(`<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>`)
	b.WriteString(`</d:prop></d:set></c:mkcalendar>`)
	r, err := c.do(ctx, "MKCALENDAR", u, []byte(b.String()), nil)
	if err != nil {
		return err
	}
	return expect("MKCALENDAR", r, http.StatusCreated, http.StatusOK)
}

// Object is one calendar object resource (RFC 4791 §4.1): one iCalendar
// document, all components of one UID.
type Object struct {
	URL  string // absolute
	ETag string // as the server sent it, quotes included
	Data string // the iCalendar text
}

// Get fetches one object.
func (c *Client) Get(ctx context.Context, u string) (Object, error) {
	hdr := http.Header{}
	hdr.Set("Accept", "text/calendar")
	r, err := c.do(ctx, http.MethodGet, u, nil, hdr)
	if err != nil {
		return Object{}, err
	}
	if err := expect("GET", r, http.StatusOK); err != nil {
		return Object{}, err
	}
	return Object{URL: r.URL.String(), ETag: r.Header.Get("ETag"), Data: string(r.Body)}, nil
}

// Put writes data to u. With etag "" the object must be new
// (If-None-Match: *); otherwise it must still have that ETag (If-Match,
// RFC 7232 §3.1). A lost race answers ErrPrecondition (wrapped), also when
// the server hides the 412 inside a 207 multistatus (Xandikos). The new
// ETag is returned when the server sends one ("" otherwise: the caller
// refetches).
func (c *Client) Put(ctx context.Context, u, etag, data string) (string, error) {
	hdr := http.Header{}
	hdr.Set("Content-Type", "text/calendar; charset=utf-8")
	if etag == "" {
		hdr.Set("If-None-Match", "*")
	} else {
		hdr.Set("If-Match", etag)
	}
	r, err := c.do(ctx, http.MethodPut, u, []byte(data), hdr)
	if err != nil {
		return "", err
	}
	if err := hiddenPrecondition("PUT", r); err != nil {
		return "", err
	}
	if err := expect("PUT", r, http.StatusCreated, http.StatusNoContent, http.StatusOK, http.StatusMultiStatus); err != nil {
		return "", err
	}
	return r.Header.Get("ETag"), nil
}

// Delete removes the object at u if it still has etag (any, when etag is
// ""). A lost race answers ErrPrecondition (wrapped); an object already gone
// is not an error.
func (c *Client) Delete(ctx context.Context, u, etag string) error {
	hdr := http.Header{}
	if etag != "" {
		hdr.Set("If-Match", etag)
	}
	r, err := c.do(ctx, http.MethodDelete, u, nil, hdr)
	if err != nil {
		return err
	}
	if err := hiddenPrecondition("DELETE", r); err != nil {
		return err
	}
	return expect("DELETE", r, http.StatusNoContent, http.StatusOK, http.StatusNotFound, http.StatusGone)
}

// hiddenPrecondition finds a 412 inside a 207 answer to a write: some
// servers (Xandikos) report a failed precondition that way, and a client
// reading only the outer status would think the write succeeded.
func hiddenPrecondition(method string, r *response) error {
	if r.Status != http.StatusMultiStatus {
		return nil
	}
	var ms multistatus
	if err := xml.Unmarshal(r.Body, &ms); err != nil {
		return fmt.Errorf("calendar: %s %s: bad multistatus: %w", method, r.URL.Redacted(), err)
	}
	for _, resp := range ms.Responses {
		codes := []int{statusCode(resp.Status)}
		for _, ps := range resp.Propstats {
			codes = append(codes, statusCode(ps.Status))
		}
		for _, code := range codes {
			if code >= 400 {
				return &HTTPError{Method: method, URL: r.URL.Redacted(), Status: code}
			}
		}
	}
	return nil
}
