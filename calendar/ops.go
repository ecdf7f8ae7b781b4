package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/magpie-mail/magpie/store"
)

// ConflictError: the object changed on the server since it was cached (a
// 412 on If-Match). The server's version is now in the cache under Href and
// the member's own version, when there was one, is kept beside it as the
// conflict copy Copy: nothing is lost, and both show in views.
type ConflictError struct {
	Href string
	Copy store.CalObjectID // 0 when the member's change was a deletion
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("calendar: %s changed on the server meanwhile; both versions kept", e.Href)
}

// Unwrap lets errors.Is(err, ErrPrecondition) match.
func (e *ConflictError) Unwrap() error { return ErrPrecondition }

// ErrReadOnly: the calendar does not accept writes.
var ErrReadOnly = errors.New("calendar: calendar is read-only")

// Create stores a new object (data, whose first VEVENT has uid) in cal
// with If-None-Match: * and caches it. The resource name is derived from
// the UID.
func (s *Syncer) Create(ctx context.Context, cal store.Calendar, uid, data string) (store.CalObject, error) {
	if cal.ReadOnly {
		return store.CalObject{}, ErrReadOnly
	}
	href := canonical(strings.TrimSuffix(cal.URL, "/") + "/" + url.PathEscape(safeName(uid)) + ".ics")
	etag, err := s.Client.Put(ctx, href, "", data)
	if err != nil {
		return store.CalObject{}, err
	}
	return s.cacheWritten(ctx, cal, href, etag, data)
}

// Update replaces obj on the server if it is unchanged there (If-Match its
// cached ETag). On a 412 it fetches the server's version into the cache,
// keeps data as a conflict copy and returns a *ConflictError.
func (s *Syncer) Update(ctx context.Context, cal store.Calendar, obj store.CalObject, data string) (store.CalObject, error) {
	if cal.ReadOnly {
		return store.CalObject{}, ErrReadOnly
	}
	etag, err := s.Client.Put(ctx, obj.Href, obj.ETag, data)
	if errors.Is(err, ErrPrecondition) {
		return store.CalObject{}, s.conflict(ctx, cal, obj.Href, data)
	}
	if err != nil {
		return store.CalObject{}, err
	}
	return s.cacheWritten(ctx, cal, obj.Href, etag, data)
}

// Remove deletes obj on the server if it is unchanged there. On a 412 the
// server's newer version is fetched into the cache (the deletion is not
// applied: the member sees what changed) and a *ConflictError returned.
func (s *Syncer) Remove(ctx context.Context, cal store.Calendar, obj store.CalObject) error {
	if cal.ReadOnly {
		return ErrReadOnly
	}
	err := s.Client.Delete(ctx, obj.Href, obj.ETag)
	if errors.Is(err, ErrPrecondition) {
		return s.conflict(ctx, cal, obj.Href, "")
	}
	if err != nil {
		return err
	}
	return s.Store.PutCalObjects(ctx, cal.ID, nil, []string{obj.Href})
}

// conflict refetches href and keeps mine (when not "") as a conflict copy.
func (s *Syncer) conflict(ctx context.Context, cal store.Calendar, href, mine string) error {
	cerr := &ConflictError{Href: href}
	server, err := s.Client.Get(ctx, href)
	switch {
	case errors.Is(err, ErrNotFound):
		if err := s.Store.PutCalObjects(ctx, cal.ID, nil, []string{href}); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("calendar: refetch after conflict: %w", err)
	default:
		server.URL = href
		if err := s.Store.PutCalObjects(ctx, cal.ID, []store.CalObject{s.row(server)}, nil); err != nil {
			return err
		}
	}
	if mine != "" {
		r := s.row(Object{URL: href, Data: mine})
		r.Href, r.ConflictOf = "", href
		id, err := s.Store.AddCalConflict(ctx, cal.ID, r)
		if err != nil {
			return err
		}
		cerr.Copy = id
	}
	return cerr
}

// cacheWritten records what was written. Without an ETag in the answer
// (the server may have rewritten the data, RFC 4791 §5.3.4) the object is
// fetched back.
func (s *Syncer) cacheWritten(ctx context.Context, cal store.Calendar, href, etag, data string) (store.CalObject, error) {
	o := Object{URL: href, ETag: etag, Data: data}
	if etag == "" {
		got, err := s.Client.Get(ctx, href)
		if err != nil {
			return store.CalObject{}, fmt.Errorf("calendar: fetch written object: %w", err)
		}
		o = got
		o.URL = href
	}
	r := s.row(o)
	if err := s.Store.PutCalObjects(ctx, cal.ID, []store.CalObject{r}, nil); err != nil {
		return store.CalObject{}, err
	}
	return s.Store.CalObjectByUID(ctx, cal.ID, r.UID)
}

// safeName keeps a UID usable as a resource name.
func safeName(uid string) string {
	var b strings.Builder
	for _, r := range uid {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == '@':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "event"
	}
	return b.String()
}
