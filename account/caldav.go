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
	// New events: EventDuration long (default 1 h), a reminder Reminder
	// before the start (default 15 min; negative: none), in the calendar
	// named DefaultCalendar ("" the first writable one).
	EventDuration   time.Duration
	Reminder        time.Duration
	DefaultCalendar string
}

type fileCalendarSettings struct {
	WeekStart       string `toml:"week_start,omitempty"`
	Lunar           *bool  `toml:"lunar,omitempty"`
	EventDuration   string `toml:"event_duration,omitempty"`
	Reminder        string `toml:"reminder,omitempty"`
	DefaultCalendar string `toml:"default_calendar,omitempty"`
}

// DefaultCalendarSettings are the settings without a [calendar] table.
func DefaultCalendarSettings() CalendarSettings {
	return CalendarSettings{WeekStart: time.Monday, EventDuration: time.Hour, Reminder: 15 * time.Minute}
}

func (f *fileCalendarSettings) settings() (CalendarSettings, string, error) {
	s := DefaultCalendarSettings()
	if f == nil {
		return s, "", nil
	}
	switch strings.ToLower(strings.TrimSpace(f.WeekStart)) {
	case "", "monday":
	case "sunday":
		s.WeekStart = time.Sunday
	default:
		return s, "calendar.week_start", fmt.Errorf("%w: %q (want monday or sunday)", ErrInvalidValue, f.WeekStart)
	}
	s.Lunar = f.Lunar
	if v := strings.TrimSpace(f.EventDuration); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, "calendar.event_duration", fmt.Errorf("%w: %q (want e.g. 1h or 30m)", ErrInvalidValue, v)
		}
		s.EventDuration = d
	}
	switch v := strings.ToLower(strings.TrimSpace(f.Reminder)); v {
	case "":
	case "none", "off":
		s.Reminder = -1
	default:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return s, "calendar.reminder", fmt.Errorf("%w: %q (want e.g. 15m, 1h or none)", ErrInvalidValue, v)
		}
		s.Reminder = d
	}
	s.DefaultCalendar = strings.TrimSpace(f.DefaultCalendar)
	return s, "", nil
}

func toFileCalendarSettings(s CalendarSettings) *fileCalendarSettings {
	def := DefaultCalendarSettings()
	if s.WeekStart != time.Sunday && s.Lunar == nil && s.DefaultCalendar == "" &&
		(s.EventDuration == 0 || s.EventDuration == def.EventDuration) && (s.Reminder == 0 || s.Reminder == def.Reminder) {
		return nil
	}
	f := &fileCalendarSettings{Lunar: s.Lunar, DefaultCalendar: s.DefaultCalendar}
	if s.EventDuration != 0 && s.EventDuration != def.EventDuration {
		f.EventDuration = s.EventDuration.String()
	}
	switch {
	case s.Reminder < 0:
		f.Reminder = "none"
	case s.Reminder != 0 && s.Reminder != def.Reminder:
		f.Reminder = s.Reminder.String()
	}
	if s.WeekStart == time.Sunday {
		f.WeekStart = "sunday"
	}
	return f
}
