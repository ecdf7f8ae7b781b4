package calendar

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/magpie-mail/magpie/store"
)

// Offline-first writes: Save and Delete store the member's change in the
// cache (store.CalPending rows) before anything is sent, then Flush sends
// what is queued. A write that cannot reach the server stays queued and is
// sent by the next Flush (the TUI's next save, `magpie calendar sync`); a
// 412 keeps both versions as with Update.

// HrefFor is the resource a new event with uid gets in cal.
func HrefFor(cal store.Calendar, uid string) string {
	return canonical(strings.TrimSuffix(cal.URL, "/") + "/" + url.PathEscape(safeName(uid)) + ".ics")
}

// Save queues data as the new version of the object at href (base: the
// cached version it was made from, zero for a new object) and flushes the
// calendar's queue. A nil error means it reached the server; an error
// wrapping ErrQueued means it is kept and will be sent later.
func (s *Syncer) Save(ctx context.Context, cal store.Calendar, href string, base store.CalObject, data string) error {
	if cal.ReadOnly {
		return ErrReadOnly
	}
	r := s.row(Object{URL: href, Data: data})
	r.ConflictOf, r.ETag = href, base.ETag
	if _, err := s.Store.QueueCalWrite(ctx, cal.ID, r, false); err != nil {
		return err
	}
	return s.flushOne(ctx, cal)
}

// Delete queues the deletion of the object at href and flushes.
func (s *Syncer) Delete(ctx context.Context, cal store.Calendar, base store.CalObject) error {
	if cal.ReadOnly {
		return ErrReadOnly
	}
	href := base.Href
	if href == "" {
		href = base.ConflictOf
	}
	o := store.CalObject{ConflictOf: href, ETag: base.ETag, UID: base.UID, Data: "", Start: base.Start, End: base.End}
	if base.State == store.CalPending || base.State == store.CalPendingDelete {
		o.ETag = "" // the queued row keeps its own base
	}
	if _, err := s.Store.QueueCalWrite(ctx, cal.ID, o, true); err != nil {
		return err
	}
	return s.flushOne(ctx, cal)
}

// ErrQueued: the change is stored and waits for the server.
var ErrQueued = errors.New("calendar: change queued until the server can be reached")

func (s *Syncer) flushOne(ctx context.Context, cal store.Calendar) error {
	if s.Client == nil { // no connection configured: kept for later
		return ErrQueued
	}
	_, err := s.Flush(ctx, cal)
	return err
}

// Flush sends cal's queued writes in order. It stops at the first one that
// cannot reach the server (returning an error wrapping ErrQueued); a
// conflict keeps both versions and the flush goes on, the first
// *ConflictError returned at the end. A write the server refuses for good
// (read-only, forbidden) is kept as a conflict copy: nothing is lost.
func (s *Syncer) Flush(ctx context.Context, cal store.Calendar) (sent int, err error) {
	queued, err := s.Store.CalObjectsIn(ctx, cal.ID, store.CalPending, store.CalPendingDelete)
	if err != nil {
		return 0, err
	}
	var first error
	for _, q := range queued {
		werr := s.send(ctx, cal, q)
		var ce *ConflictError
		var he *HTTPError
		switch {
		case werr == nil:
			sent++
		case errors.As(werr, &ce):
			if first == nil {
				first = werr
			}
		case errors.Is(werr, ErrUnauthorized) || (errors.As(werr, &he) && he.Status >= 500):
			return sent, fmt.Errorf("%w: %w", ErrQueued, werr)
		case errors.As(werr, &he) || errors.Is(werr, ErrReadOnly):
			if q.State == store.CalPending {
				r := q
				r.ConflictOf = q.ConflictOf
				if _, err := s.Store.AddCalConflict(ctx, cal.ID, r); err != nil {
					return sent, err
				}
			}
			if first == nil {
				first = werr
			}
		default:
			return sent, fmt.Errorf("%w: %w", ErrQueued, werr)
		}
		if err := s.Store.DeleteCalObject(ctx, q.ID); err != nil {
			return sent, err
		}
	}
	return sent, first
}

// send performs one queued write.
func (s *Syncer) send(ctx context.Context, cal store.Calendar, q store.CalObject) error {
	target := store.CalObject{Calendar: cal.ID, Href: q.ConflictOf, ETag: q.ETag, UID: q.UID}
	if q.State == store.CalPendingDelete {
		err := s.Remove(ctx, cal, target)
		if errors.Is(err, ErrNotFound) { // already gone: what the member wanted
			return s.Store.PutCalObjects(ctx, cal.ID, nil, []string{q.ConflictOf})
		}
		return err
	}
	if q.ETag == "" {
		etag, err := s.Client.Put(ctx, q.ConflictOf, "", q.Data)
		if errors.Is(err, ErrPrecondition) {
			return s.conflict(ctx, cal, q.ConflictOf, q.Data)
		}
		if err != nil {
			return err
		}
		_, err = s.cacheWritten(ctx, cal, q.ConflictOf, etag, q.Data)
		return err
	}
	_, err := s.Update(ctx, cal, target, q.Data)
	return err
}

// Resolve settles a conflict copy: keepMine writes it over the server's
// current version (a new conflict if that changed again); otherwise the
// copy is dropped and the server's version stays.
func (s *Syncer) Resolve(ctx context.Context, cal store.Calendar, copy store.CalObject, keepMine bool) error {
	if copy.State != store.CalConflict {
		return fmt.Errorf("calendar: object %d is not a conflict copy: %w", copy.ID, store.ErrNotFound)
	}
	if keepMine {
		base, err := s.Store.CalObjectByHref(ctx, cal.ID, copy.ConflictOf)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		err = s.Save(ctx, cal, copy.ConflictOf, base, copy.Data)
		var ce *ConflictError
		if err != nil && !errors.As(err, &ce) && !errors.Is(err, ErrQueued) {
			return err
		}
		// Sent, queued, or kept again as a newer conflict copy: this one
		// has served.
		if derr := s.Store.DeleteCalObject(ctx, copy.ID); derr != nil {
			return derr
		}
		return err
	}
	return s.Store.DeleteCalObject(ctx, copy.ID)
}

// NewUID is a fresh event UID (RFC 5545 §3.8.4.7: globally unique).
func NewUID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@magpie"
}
