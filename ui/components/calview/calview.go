// Package calview is the calendar view of the TUI: month grid, week, day
// and agenda, with each calendar's colour and a toggle per calendar, today
// highlighted, and under each date the Chinese lunar day, solar term,
// festival and the official holiday badge (休 day off, 班 make-up workday).
//
// It reads the calendar cache of the store only (offline) through LoadCmd;
// syncing is `magpie calendar sync`'s job.
package calview

import (
	"context"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/calendar/lunar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/evedit"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Mode is which view shows.
type Mode int

const (
	ModeMonth Mode = iota
	ModeWeek
	ModeDay
	ModeAgenda
)

// Calendar is one calendar as the view shows it.
type Calendar struct {
	ID       store.CalendarID
	Name     string
	Color    string // "#RRGGBB" or "#RRGGBBAA"; "" for the default
	Hidden   bool
	ReadOnly bool
}

// Event is one occurrence placed on a calendar.
type Event struct {
	Calendar store.CalendarID
	calendar.Occurrence
	Conflict bool // the member's own version kept after a write conflict
	Pending  bool // the member's change, not yet on the server
	Object   store.CalObjectID
}

// LoadedMsg carries the calendars and the occurrences of a range, for the
// request Req; a stale one is dropped.
type LoadedMsg struct {
	Req       uint64
	Calendars []Calendar
	Events    []Event
	Err       error
}

// ClosedMsg says the member left the calendar view.
type ClosedMsg struct{}

// Options configure the view.
type Options struct {
	WeekStart time.Weekday // time.Monday or time.Sunday
	Lunar     bool         // show the lunar line (default: on in zh-CN)
}

// Model is the calendar view.
type Model struct {
	c       *common.Common
	keys    keyMap
	loc     *time.Location
	now     func() time.Time
	mode    Mode
	cursor  time.Time // a date: midnight in loc
	opts    Options
	cals    []Calendar
	events  []Event
	err     error
	lc      *lunar.Calendar
	req     uint64
	from    time.Time // range of the last request
	to      time.Time
	loading bool
	width   int
	height  int

	sel        int // the selected event of the cursor's day
	editor     *evedit.Model
	ask        askKind // a question on the last line
	known      []store.KnownAddress
	defaults   evedit.Defaults
	defaultCal string
	parsed     *parseCache       // shared by the model's copies and its loads
	byDay      map[int64][]int32 // indices into events by the dates they touch (indexDays)
}

var _ common.Component[Model] = (*Model)(nil)

// DefaultOptions: the week starts on Monday; lunar dates show in Chinese.
func DefaultOptions(p *i18n.Printer) Options {
	return Options{WeekStart: time.Monday, Lunar: p.Lang() == i18n.ZH}
}

// New returns a month view on today.
func New(c *common.Common, opts Options, now func() time.Time, loc *time.Location) Model {
	t := now().In(loc)
	return Model{c: c, keys: newKeyMap(c.P), loc: loc, now: now, opts: opts, lc: &lunar.Calendar{}, parsed: &parseCache{},
		cursor: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)}
}

// Init does nothing: the owner calls Load.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.editor != nil {
		m.editor.SetSize(w, h)
	}
}

// Mode is the current view.
func (m Model) Mode() Mode { return m.mode }

// Range is the span of dates the current view shows: [from, to).
func (m Model) Range() (time.Time, time.Time) {
	switch m.mode {
	case ModeMonth:
		first := time.Date(m.cursor.Year(), m.cursor.Month(), 1, 0, 0, 0, 0, m.loc)
		start := m.weekStart(first)
		return start, start.AddDate(0, 0, 42)
	case ModeWeek:
		s := m.weekStart(m.cursor)
		return s, s.AddDate(0, 0, 7)
	case ModeDay:
		return m.cursor, m.cursor.AddDate(0, 0, 1)
	}
	return m.cursor, m.cursor.AddDate(0, 0, 14)
}

func (m Model) weekStart(d time.Time) time.Time {
	back := (int(d.Weekday()) - int(m.opts.WeekStart) + 7) % 7
	return d.AddDate(0, 0, -back)
}

// Load returns the Cmd that reads the view's range from the store (nil
// when the range is already loaded or being loaded). accounts are the
// configured accounts' store IDs.
func (m *Model) Load(ctx context.Context, st *store.Store, accounts []store.AccountID) tea.Cmd {
	from, to := m.Range()
	if st == nil || (m.from.Equal(from) && m.to.Equal(to)) {
		return nil
	}
	m.req++
	m.from, m.to, m.loading = from, to, true
	return loadCmd(ctx, st, accounts, from, to, m.loc, m.req, m.parsed)
}

// LoadCmd reads calendars and expands occurrences in [from, to) from the
// store cache. It copies what it needs; the store is safe for concurrent
// use.
func LoadCmd(ctx context.Context, st *store.Store, accounts []store.AccountID, from, to time.Time, loc *time.Location, req uint64) tea.Cmd {
	return loadCmd(ctx, st, accounts, from, to, loc, req, &parseCache{})
}

func loadCmd(ctx context.Context, st *store.Store, accounts []store.AccountID, from, to time.Time, loc *time.Location, req uint64, pc *parseCache) tea.Cmd {
	accts := append([]store.AccountID(nil), accounts...)
	return func() tea.Msg {
		msg := LoadedMsg{Req: req}
		var ids []store.CalendarID
		for _, a := range accts {
			cals, err := st.Calendars(ctx, a)
			if err != nil {
				msg.Err = err
				return msg
			}
			for _, c := range cals {
				msg.Calendars = append(msg.Calendars, Calendar{ID: c.ID, Name: c.Name, Color: c.Color, Hidden: c.Hidden, ReadOnly: c.ReadOnly})
				ids = append(ids, c.ID)
			}
		}
		ex := pc.expander(st, loc)
		objs, err := ex.Objects(ctx, ids, from, to)
		if err != nil {
			msg.Err = err
			return msg
		}
		superseded := map[string]bool{}
		for _, o := range objs {
			if o.State == store.CalPending || o.State == store.CalPendingDelete {
				superseded[o.ConflictOf] = true
			}
		}
		occs := make([][]calendar.Occurrence, len(objs))
		n := 0
		for i, o := range objs {
			if o.State == store.CalPendingDelete || (o.State == store.CalSynced && superseded[o.Href]) {
				continue
			}
			occs[i], _ = ex.Expand(ctx, o, from, to) // an object that does not expand shows nothing
			n += len(occs[i])
		}
		events := make([]Event, 0, n)
		for i, o := range objs {
			for _, oc := range occs[i] {
				events = append(events, Event{Calendar: o.Calendar, Occurrence: oc, Object: o.ID,
					Conflict: o.State == store.CalConflict, Pending: o.State == store.CalPending})
			}
		}
		_ = ex.Backfill(ctx) // rows of an older cache: read faster next time; a failure costs only speed
		msg.Events = byStart(events)
		return msg
	}
}

// byStart orders events by start, stably, moving each (large) Event once.
func byStart(events []Event) []Event {
	idx := make([]int32, len(events))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return events[a].Start.Compare(events[b].Start) })
	out := make([]Event, len(events))
	for i, k := range idx {
		out[i] = events[k]
	}
	return out
}

// Update handles keys and load results. It returns a ReloadMsg-free
// model: after a key the owner calls Load again (cheap when the range is
// unchanged).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Req != m.req {
			return m, nil // stale
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			hidden := map[store.CalendarID]bool{}
			for _, c := range m.cals {
				hidden[c.ID] = c.Hidden
			}
			for i := range msg.Calendars {
				if h, ok := hidden[msg.Calendars[i].ID]; ok {
					msg.Calendars[i].Hidden = h
				}
			}
			m.cals, m.events = msg.Calendars, msg.Events
			m.byDay = indexDays(m.events, m.from, m.to, m.loc)
		}
	case AddressesMsg:
		m.known = msg.Known
	case tea.PasteMsg:
		if m.editor != nil {
			e, _ := m.editor.Update(msg)
			m.editor = &e
		}
	case tea.KeyPressMsg:
		if m.editor != nil {
			return m.onEditorKey(msg)
		}
		if m.ask != askNone {
			return m.onAsk(msg)
		}
		if mm, cmd, ok := m.eventKey(msg); ok {
			return mm, cmd
		}
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	km := m.keys
	step := func(days int) { m.cursor = m.cursor.AddDate(0, 0, days) }
	switch {
	case key.Matches(k, km.Close):
		return m, func() tea.Msg { return ClosedMsg{} }
	case key.Matches(k, km.Month):
		m.mode = ModeMonth
	case key.Matches(k, km.Week):
		m.mode = ModeWeek
	case key.Matches(k, km.Day):
		m.mode = ModeDay
	case key.Matches(k, km.Agenda):
		m.mode = ModeAgenda
	case key.Matches(k, km.Left):
		step(-1)
	case key.Matches(k, km.Right):
		step(1)
	case key.Matches(k, km.Up):
		step(-7)
	case key.Matches(k, km.Down):
		step(7)
	case key.Matches(k, km.Prev):
		m.page(-1)
	case key.Matches(k, km.Next):
		m.page(1)
	case key.Matches(k, km.Today):
		t := m.now().In(m.loc)
		m.cursor = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, m.loc)
	case key.Matches(k, km.Lunar):
		m.opts.Lunar = !m.opts.Lunar
	case key.Matches(k, km.Toggle):
		if n := int(k.String()[0] - '1'); n >= 0 && n < len(m.cals) {
			m.cals[n].Hidden = !m.cals[n].Hidden
			hc := HiddenChangedMsg{Calendar: m.cals[n].ID, Hidden: m.cals[n].Hidden}
			return m, func() tea.Msg { return hc }
		}
	}
	m.sel = 0
	return m, nil
}

// page moves by one month, week or day (two weeks in the agenda).
func (m *Model) page(dir int) {
	switch m.mode {
	case ModeMonth:
		first := time.Date(m.cursor.Year(), m.cursor.Month()+time.Month(dir), 1, 0, 0, 0, 0, m.loc)
		d := min(m.cursor.Day(), time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, m.loc).Day())
		m.cursor = time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, m.loc)
	case ModeWeek:
		m.cursor = m.cursor.AddDate(0, 0, 7*dir)
	case ModeDay:
		m.cursor = m.cursor.AddDate(0, 0, dir)
	default:
		m.cursor = m.cursor.AddDate(0, 0, 14*dir)
	}
}

// Cursor is the selected date.
func (m Model) Cursor() time.Time { return m.cursor }

// visible reports whether events of calendar id show.
func (m Model) visible(id store.CalendarID) bool {
	for _, c := range m.cals {
		if c.ID == id {
			return !c.Hidden
		}
	}
	return true
}

// eventsOn returns the visible events that touch the date d.
func (m Model) eventsOn(d time.Time) []Event {
	var out []Event
	m.eachOn(d, func(e *Event) {
		if out == nil {
			out = make([]Event, 0, 4)
		}
		out = append(out, *e)
	})
	return out
}

// countOn is len(eventsOn(d)) without the copies.
func (m Model) countOn(d time.Time) int {
	n := 0
	m.eachOn(d, func(*Event) { n++ })
	return n
}

func (m Model) eachOn(d time.Time, f func(*Event)) {
	end := d.AddDate(0, 0, 1)
	touches := func(e *Event) bool {
		return m.visible(e.Calendar) && e.Start.Before(end) && (e.End.After(d) || (e.End.Equal(e.Start) && !e.Start.Before(d)))
	}
	if m.byDay != nil && !d.Before(m.from) && d.Before(m.to) {
		for _, i := range m.byDay[d.Unix()] {
			if e := &m.events[i]; touches(e) {
				f(e)
			}
		}
		return
	}
	for i := range m.events {
		if e := &m.events[i]; touches(e) {
			f(e)
		}
	}
}

// ShortHelp lists the main keys.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Month, m.keys.Week, m.keys.Day, m.keys.Agenda, m.keys.Today, m.keys.Close}
}

// FullHelp lists every key.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Month, k.Week, k.Day, k.Agenda},
		{k.Left, k.Right, k.Up, k.Down, k.Prev, k.Next, k.Today},
		{k.New, k.Edit, k.Delete, k.Select, k.Resolve},
		{k.Lunar, k.Toggle, k.Close},
	}
}

type keyMap struct {
	Month, Week, Day, Agenda           key.Binding
	Left, Right, Up, Down, Prev, Next  key.Binding
	Today, Lunar, Toggle, Close        key.Binding
	New, Edit, Delete, Select, Resolve key.Binding
}

func newKeyMap(p *i18n.Printer) keyMap {
	b := func(help, shown string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, p.T(help)))
	}
	return keyMap{
		Month:  b("tui.cal.key.month", "m", "m"),
		Week:   b("tui.cal.key.week", "w", "w"),
		Day:    b("tui.cal.key.day", "d", "d"),
		Agenda: b("tui.cal.key.agenda", "a", "a"),
		Left:   b("tui.cal.key.left", "h/left", "h", "left"),
		Right:  b("tui.cal.key.right", "l/right", "l", "right"),
		Up:     b("tui.cal.key.up", "k/up", "k", "up"),
		Down:   b("tui.cal.key.down", "j/down", "j", "down"),
		Prev:   b("tui.cal.key.prev", "[/pgup", "[", "pgup"),
		Next:   b("tui.cal.key.next", "]/pgdn", "]", "pgdown"),
		Today:  b("tui.cal.key.today", "t", "t"),
		Lunar:  b("tui.cal.key.lunar", "L", "L"),
		Toggle: b("tui.cal.key.toggle", "1-9", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Close:  b("tui.cal.key.close", "esc/q", "esc", "q"),

		New:     b("tui.cal.key.new", "n", "n"),
		Edit:    b("tui.cal.key.edit", "e/enter", "e", "enter"),
		Delete:  b("tui.cal.key.delete", "x", "x", "delete"),
		Select:  b("tui.cal.key.select", "tab", "tab", "shift+tab"),
		Resolve: b("tui.cal.key.resolve", "c", "c"),
	}
}

// indexDays files the index of each event under every date of [from, to)
// it touches (midnights in loc), so that a grid's 42 cells do not each
// scan them all.
func indexDays(events []Event, from, to time.Time, loc *time.Location) map[int64][]int32 {
	out := map[int64][]int32{}
	for i := range events {
		e := &events[i]
		s := e.Start.In(loc)
		d := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
		if d.Before(from) {
			d = from
		}
		for ; d.Before(to); d = d.AddDate(0, 0, 1) {
			if !e.Start.Before(d.AddDate(0, 0, 1)) {
				break
			}
			if d.After(e.Start) && !e.End.After(d) {
				break
			}
			out[d.Unix()] = append(out[d.Unix()], int32(i))
		}
	}
	return out
}
