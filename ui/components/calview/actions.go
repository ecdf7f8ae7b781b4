package calview

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/evedit"
)

// Acting on events: n new, e/enter edit, x delete (asked first), tab
// selects among the cursor day's events, c settles a conflict copy. The
// view only asks: the owner writes and reloads.

// SaveRequestedMsg asks the owner to write an edited or new event.
type SaveRequestedMsg struct{ evedit.SubmittedMsg }

// DeleteRequestedMsg asks the owner to delete ev (Scope for a repeating
// one).
type DeleteRequestedMsg struct {
	Event Event
	Scope calendar.Scope
}

// ResolveRequestedMsg asks the owner to settle the conflict copy ev:
// KeepMine writes it over the server's version, else it is dropped.
type ResolveRequestedMsg struct {
	Event    Event
	KeepMine bool
}

// HiddenChangedMsg: the member switched a calendar off or on (the owner
// keeps it in the store).
type HiddenChangedMsg struct {
	Calendar store.CalendarID
	Hidden   bool
}

// AddressesMsg brings the addresses for attendee completion.
type AddressesMsg struct{ Known []store.KnownAddress }

// AddressesCmd reads the mail store's addresses, most used first.
func AddressesCmd(ctx context.Context, st *store.Store) tea.Cmd {
	return func() tea.Msg {
		known, _ := st.Addresses(ctx, 500) // completion is a help: none on error
		return AddressesMsg{Known: known}
	}
}

type askKind int

const (
	askNone askKind = iota
	askDelete
	askDeleteScope
	askResolve
	askReadOnly // not a question: says the calendar cannot be written
)

// SetDefaults sets the new-event defaults from the config; calendar names
// the default calendar ("" the first writable one).
func (m *Model) SetDefaults(d evedit.Defaults, calendar string) {
	m.defaults, m.defaultCal = d, calendar
}

// Invalidate makes the next Load read again (after a write).
func (m *Model) Invalidate() { m.from, m.to = time.Time{}, time.Time{} }

// Editing reports whether the editor is open.
func (m Model) Editing() bool { return m.editor != nil }

// Selected is the selected event of the cursor's day.
func (m Model) Selected() (Event, bool) {
	evs := m.eventsOn(m.cursor)
	if len(evs) == 0 {
		return Event{}, false
	}
	return evs[min(m.sel, len(evs)-1)], true
}

func (m Model) writable() []evedit.Calendar {
	var out []evedit.Calendar
	for _, c := range m.cals {
		if !c.ReadOnly {
			out = append(out, evedit.Calendar{ID: c.ID, Name: c.Name})
		}
	}
	return out
}

func (m Model) eventKey(k tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	km := m.keys
	switch {
	case key.Matches(k, km.Select):
		if n := len(m.eventsOn(m.cursor)); n > 0 {
			if k.String() == "shift+tab" {
				m.sel = (min(m.sel, n-1) + n - 1) % n
			} else {
				m.sel = (m.sel + 1) % n
			}
		}
	case key.Matches(k, km.New):
		def := m.defaults
		for _, c := range m.writable() {
			if def.Calendar == 0 || c.Name == m.defaultCal {
				def.Calendar = c.ID
			}
			if c.Name == m.defaultCal {
				break
			}
		}
		e := evedit.New(m.c, m.loc, m.writable(), evedit.NewDraft(m.cursor, m.now(), def), evedit.Existing{}, m.known)
		e.SetSize(m.width, m.height)
		m.editor = &e
	case key.Matches(k, km.Edit):
		ev, ok := m.Selected()
		if !ok || ev.Conflict {
			return m, nil, true
		}
		if m.readOnly(ev.Calendar) {
			m.ask = askReadOnly
			return m, nil, true
		}
		d := evedit.Draft{Calendar: ev.Calendar, Title: ev.Summary, Location: ev.Location, Description: ev.Description,
			Start: ev.Start, End: ev.End, AllDay: ev.AllDay, Attendees: ev.Attendees, RRule: ev.RRule}
		if len(ev.Reminders) > 0 {
			d.Reminder, d.Remind = ev.Reminders[0], true
		}
		ex := evedit.Existing{Object: ev.Object, UID: ev.UID, RID: ev.RecurrenceID, Recurring: ev.Recurring,
			Start: ev.Start, End: ev.End, AllDay: ev.AllDay}
		e := evedit.New(m.c, m.loc, m.writable(), d, ex, m.known)
		e.SetSize(m.width, m.height)
		m.editor = &e
	case key.Matches(k, km.Delete):
		if ev, ok := m.Selected(); ok {
			m.ask = askDelete
			if m.readOnly(ev.Calendar) && !ev.Conflict {
				m.ask = askReadOnly
			}
		}
	case key.Matches(k, km.Resolve):
		if ev, ok := m.Selected(); ok && ev.Conflict {
			m.ask = askResolve
		}
	default:
		return m, nil, false
	}
	return m, nil, true
}

// onEditorKey hands a key to the editor and turns its answer into a
// request to the owner.
func (m Model) onEditorKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	e, cmd := m.editor.Update(k)
	m.editor = &e
	if cmd == nil {
		return m, nil
	}
	switch msg := cmd().(type) { // the editor's Cmds only build messages
	case evedit.CancelledMsg:
		m.editor = nil
	case evedit.SubmittedMsg:
		m.editor = nil
		return m, func() tea.Msg { return SaveRequestedMsg{msg} }
	}
	return m, nil
}

func (m Model) readOnly(id store.CalendarID) bool {
	for _, c := range m.cals {
		if c.ID == id {
			return c.ReadOnly
		}
	}
	return false
}

// onAsk answers the question on the last line.
func (m Model) onAsk(k tea.KeyPressMsg) (Model, tea.Cmd) {
	ev, ok := m.Selected()
	ask := m.ask
	m.ask = askNone
	if ask == askReadOnly { // any key dismisses the notice
		return m, nil
	}
	if !ok || k.String() == "esc" || k.String() == "n" {
		return m, nil
	}
	switch ask {
	case askDelete:
		if k.String() != "y" {
			m.ask = ask
			return m, nil
		}
		if ev.Recurring {
			m.ask = askDeleteScope
			return m, nil
		}
		return m, func() tea.Msg { return DeleteRequestedMsg{Event: ev, Scope: calendar.ScopeAll} }
	case askDeleteScope:
		scope := map[string]calendar.Scope{"1": calendar.ScopeThis, "2": calendar.ScopeFollowing, "3": calendar.ScopeAll}
		if s, ok := scope[k.String()]; ok {
			return m, func() tea.Msg { return DeleteRequestedMsg{Event: ev, Scope: s} }
		}
		m.ask = ask
	case askResolve:
		switch k.String() {
		case "m":
			return m, func() tea.Msg { return ResolveRequestedMsg{Event: ev, KeepMine: true} }
		case "s":
			return m, func() tea.Msg { return ResolveRequestedMsg{Event: ev} }
		}
		m.ask = ask
	}
	return m, nil
}
