// Package evedit is the calendar event editor of the TUI: title, start and
// end or all-day, location, description, calendar, attendees (completed
// from the addresses of the mail store), reminder and repeat (daily,
// weekly, monthly, yearly or a custom RRULE, RFC 5545 §3.3.10). For a
// repeating event it asks whether the change is for this occurrence, this
// and the following ones, or all. It only edits: the owner writes.
package evedit

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Field is one line of the form.
type Field int

const (
	FieldTitle Field = iota
	FieldStart
	FieldEnd
	FieldAllDay
	FieldLocation
	FieldDescription
	FieldCalendar
	FieldAttendees
	FieldReminder
	FieldRepeat
	FieldRule // the custom RRULE, shown with Repeat = custom
	nFields
)

// Draft is what the member filled in.
type Draft struct {
	Calendar                     store.CalendarID
	Title, Location, Description string
	Start, End                   time.Time // End exclusive; all-day: midnights
	AllDay                       bool
	Attendees                    []string
	Reminder                     time.Duration
	Remind                       bool
	RRule                        string
}

// Existing is the event being edited (zero for a new one).
type Existing struct {
	Object    store.CalObjectID
	UID       string
	RID       time.Time // the occurrence edited
	Recurring bool
	// Start and End are the occurrence's as it was (edits move by the
	// difference, keeping the event's own time zone).
	Start, End time.Time
	AllDay     bool
}

// Calendar is a calendar the event can go in.
type Calendar struct {
	ID   store.CalendarID
	Name string
}

// Defaults are the config's defaults for a new event.
type Defaults struct {
	Duration time.Duration // 1 h
	Reminder time.Duration // 15 min; negative: none
	Calendar store.CalendarID
}

// SubmittedMsg is the member's save.
type SubmittedMsg struct {
	Draft    Draft
	Existing Existing
	Scope    calendar.Scope
}

// CancelledMsg: the member left without saving.
type CancelledMsg struct{}

// reminders are the choices of the Reminder field (-1: none).
var reminderChoices = [...]time.Duration{-1, 0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 24 * time.Hour}

// repeatChoices are the Repeat field's rules ("custom" uses FieldRule).
var repeatChoices = [...]string{"", "FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "custom"}

// Model is the editor.
type Model struct {
	c        *common.Common
	loc      *time.Location
	existing Existing
	cals     []Calendar
	known    []store.KnownAddress
	text     [nFields][]rune
	allDay   bool
	calIdx   int
	remIdx   int
	repIdx   int
	focus    Field
	sugg     []store.KnownAddress
	pick     int
	scoping  bool // asking this / following / all
	err      string
	width    int
	height   int
}

var _ common.Component[Model] = (*Model)(nil)

const (
	layoutTimed = "2006-01-02 15:04"
	layoutDate  = "2006-01-02"
)

// New opens the editor on d (a new event when ex is zero). known are the
// addresses for attendee completion, most used first.
func New(c *common.Common, loc *time.Location, cals []Calendar, d Draft, ex Existing, known []store.KnownAddress) Model {
	m := Model{c: c, loc: loc, existing: ex, cals: cals, known: known, allDay: d.AllDay}
	m.text[FieldTitle] = []rune(d.Title)
	m.text[FieldLocation] = []rune(d.Location)
	m.text[FieldDescription] = []rune(d.Description)
	m.text[FieldAttendees] = []rune(strings.Join(d.Attendees, ", "))
	m.setTimes(d.Start, d.End)
	for i, cal := range cals {
		if cal.ID == d.Calendar {
			m.calIdx = i
		}
	}
	m.remIdx = 0
	if d.Remind {
		m.remIdx = 4
		for i, r := range reminderChoices {
			if r == d.Reminder {
				m.remIdx = i
			}
		}
	}
	m.repIdx = 0
	if d.RRule != "" {
		m.repIdx = len(repeatChoices) - 1
		m.text[FieldRule] = []rune(d.RRule)
		for i, r := range repeatChoices {
			if r == d.RRule {
				m.repIdx = i
			}
		}
	}
	return m
}

// NewDraft is a new event on day at the next full hour of now (or 09:00 on
// another day) with the config's defaults.
func NewDraft(day, now time.Time, def Defaults) Draft {
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, day.Location())
	if n := now.In(day.Location()); n.Year() == day.Year() && n.YearDay() == day.YearDay() && n.Hour() < 23 {
		start = time.Date(day.Year(), day.Month(), day.Day(), n.Hour()+1, 0, 0, 0, day.Location())
	}
	dur := def.Duration
	if dur <= 0 {
		dur = time.Hour
	}
	return Draft{Calendar: def.Calendar, Start: start, End: start.Add(dur), Reminder: def.Reminder, Remind: def.Reminder >= 0}
}

func (m *Model) setTimes(start, end time.Time) {
	layout := layoutTimed
	if m.allDay {
		layout = layoutDate
		end = end.AddDate(0, 0, -1) // shown inclusive
		if end.Before(start) {
			end = start
		}
	}
	m.text[FieldStart] = []rune(start.In(m.loc).Format(layout))
	m.text[FieldEnd] = []rune(end.In(m.loc).Format(layout))
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Focused is the field with the cursor.
func (m Model) Focused() Field { return m.focus }

// Scoping reports that the editor asks which occurrences the change is for.
func (m Model) Scoping() bool { return m.scoping }

// ShortHelp lists the main keys.
func (m Model) ShortHelp() []key.Binding {
	k := newKeys(m.c)
	return []key.Binding{k.next, k.save, k.cancel}
}

// FullHelp lists every key.
func (m Model) FullHelp() [][]key.Binding {
	k := newKeys(m.c)
	return [][]key.Binding{{k.next, k.prev, k.choose, k.save, k.cancel}}
}

type keys struct{ next, prev, choose, save, cancel key.Binding }

func newKeys(c *common.Common) keys {
	b := func(help, shown string, ks ...string) key.Binding {
		return key.NewBinding(key.WithKeys(ks...), key.WithHelp(shown, c.P.T(help)))
	}
	return keys{
		next:   b("tui.evedit.key.next", "tab/down", "tab", "down"),
		prev:   b("tui.evedit.key.prev", "shift+tab/up", "shift+tab", "up"),
		choose: b("tui.evedit.key.choose", "left/right/space", "left", "right", "space"),
		save:   b("tui.evedit.key.save", "^s", "ctrl+s"),
		cancel: b("tui.evedit.key.cancel", "esc", "esc"),
	}
}
