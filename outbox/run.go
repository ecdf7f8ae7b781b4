package outbox

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/account"
)

// DefaultInterval is how often Run looks for due messages.
const DefaultInterval = 15 * time.Second

// Run flushes the accounts' outboxes until ctx ends: every interval (0:
// DefaultInterval), so scheduled mail leaves on time, and at once when an
// account name arrives on kick (it came back online, or the member just
// queued a message). Reports of flushes that did something go to report,
// which must not block for long. Run blocks; it returns ctx's error.
func (o *Outbox) Run(ctx context.Context, accounts []account.Account, kick <-chan string, interval time.Duration, report func(Report)) error {
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	flush := func(a account.Account) {
		rep, err := o.Flush(ctx, a)
		if ctx.Err() != nil {
			rep.ConnErr, err = nil, nil // shutting down: not a failure to report
		}
		if err != nil && rep.ConnErr == nil {
			rep.ConnErr = err
		}
		if report != nil && (len(rep.Outcomes) > 0 || rep.ConnErr != nil) {
			report(rep)
		}
	}
	for _, a := range accounts {
		flush(a)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			for _, a := range accounts {
				flush(a)
			}
		case name := <-kick:
			for _, a := range accounts {
				if a.Name == name {
					flush(a)
				}
			}
		}
	}
}

// ErrBadTime is returned by ParseWhen for text it cannot read.
var ErrBadTime = errors.New("outbox: want +2h, 15:04, 2006-01-02 15:04 or RFC 3339")

// ParseWhen reads a send time as people type it: "" (now: zero time), a duration from now ("+2h", "90m"),
// "2006-01-02 15:04" or "15:04" in local time (today, or tomorrow when
// past), or RFC 3339.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "+")); err == nil {
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("15:04", s, now.Location()); err == nil {
		at := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		return at, nil
	}
	return time.Time{}, ErrBadTime
}
