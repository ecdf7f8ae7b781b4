package account

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CalDAV is an account's calendar binding (RFC 4791). The zero value means
// "not set up by hand": the provider preset or discovery supplies the URL,
// and the account's own login and password are used.
type CalDAV struct {
	// URL is a server, context path or calendar collection URL; empty means
	// the provider preset's or a discovered one.
	URL string
	// Username logs in to CalDAV; empty means the account's LoginName.
	Username string
	// PasswordCmd, when set, prints the CalDAV password (like PasswordCmd).
	PasswordCmd string
	// SeparatePassword says the CalDAV password is not the mail password
	// (Feishu generates one for CalDAV): it lives in the keyring under
	// SecretKey(name, "caldav").
	SeparatePassword bool
}

// IsZero reports an unconfigured binding.
func (c CalDAV) IsZero() bool { return c == CalDAV{} }

// CalDAVUsername is the login name for the account's CalDAV server.
func (a Account) CalDAVUsername() string {
	if a.CalDAV.Username != "" {
		return a.CalDAV.Username
	}
	return a.LoginName()
}

// CalDAVPassword returns the CalDAV password: from CalDAV.PasswordCmd, else
// the keyring's SecretKey(a.Name, "caldav") when SeparatePassword is set,
// else the mail password (Password).
func (a Account) CalDAVPassword(ctx context.Context, store SecretStore) (string, error) {
	switch {
	case a.CalDAV.PasswordCmd != "":
		return RunPasswordCmd(ctx, a.CalDAV.PasswordCmd)
	case a.CalDAV.SeparatePassword:
		if store == nil {
			return "", fmt.Errorf("account: %q caldav: %w", a.Name, ErrKeyringUnavailable)
		}
		return store.Get(ctx, SecretKey(a.Name, "caldav"))
	}
	return a.Password(ctx, store)
}

// validateCalDAV checks the binding's URL: absolute https (or http to a
// loopback host, for tests and local servers).
func (c CalDAV) validate() error {
	if c.URL == "" {
		return nil
	}
	u := strings.ToLower(c.URL)
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://127.") || strings.HasPrefix(u, "http://localhost") || strings.HasPrefix(u, "http://[::1]") {
		return nil
	}
	return &FieldError{Field: "caldav.url", Err: fmt.Errorf("%w: %q (want an https:// URL)", ErrInvalidValue, c.URL)}
}

type fileCalDAV struct {
	URL              string `toml:"url,omitempty"`
	Username         string `toml:"username,omitempty"`
	PasswordCmd      string `toml:"password_cmd,omitempty"`
	SeparatePassword bool   `toml:"separate_password,omitempty"`
}

func (f *fileCalDAV) calDAV() CalDAV {
	if f == nil {
		return CalDAV{}
	}
	return CalDAV{URL: f.URL, Username: f.Username, PasswordCmd: f.PasswordCmd, SeparatePassword: f.SeparatePassword}
}

func toFileCalDAV(c CalDAV) *fileCalDAV {
	if c.IsZero() {
		return nil
	}
	return &fileCalDAV{URL: c.URL, Username: c.Username, PasswordCmd: c.PasswordCmd, SeparatePassword: c.SeparatePassword}
}

// CalendarSettings are the calendar view's settings ([calendar] in the
// config file).
type CalendarSettings struct {
	// WeekStart is the first day of a week in the month grid: time.Monday
	// (the default) or time.Sunday.
	WeekStart time.Weekday
	// Lunar, when set, overrides the language default for the lunar line
	// (on in zh-CN, off in en).
	Lunar *bool
}

type fileCalendarSettings struct {
	WeekStart string `toml:"week_start,omitempty"`
	Lunar     *bool  `toml:"lunar,omitempty"`
}

func (f *fileCalendarSettings) settings() (CalendarSettings, error) {
	s := CalendarSettings{WeekStart: time.Monday}
	if f == nil {
		return s, nil
	}
	switch strings.ToLower(strings.TrimSpace(f.WeekStart)) {
	case "", "monday":
	case "sunday":
		s.WeekStart = time.Sunday
	default:
		return s, fmt.Errorf("%w: %q (want monday or sunday)", ErrInvalidValue, f.WeekStart)
	}
	s.Lunar = f.Lunar
	return s, nil
}

func toFileCalendarSettings(s CalendarSettings) *fileCalendarSettings {
	if s.WeekStart != time.Sunday && s.Lunar == nil {
		return nil
	}
	f := &fileCalendarSettings{Lunar: s.Lunar}
	if s.WeekStart == time.Sunday {
		f.WeekStart = "sunday"
	}
	return f
}
