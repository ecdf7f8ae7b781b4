package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/calview"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/evedit"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Calendar writes from the calendar view: each runs in a Cmd through the
// account's calendar.Syncer (Deps.Calendars), which stores the change
// before sending it, so an offline save is kept and sent later.

// CalendarWrittenMsg reports a write from the calendar view.
type CalendarWrittenMsg struct {
	Calendar store.CalendarID
	Done     string // what was done, for the status bar ("tui.cal.saved"…)
	Invites  int    // invitations queued to attendees
	Err      error
}

// calendarDefaults are the config's new-event defaults, the default
// calendar resolved against the loaded ones by the view.
func (m *Model) calendarDefaults() (evedit.Defaults, string) {
	cs := m.d.Config.Calendar
	if cs.EventDuration == 0 { // a Config built in code, not read from a file
		def := account.DefaultCalendarSettings()
		cs.EventDuration, cs.Reminder = def.EventDuration, def.Reminder
	}
	return evedit.Defaults{Duration: cs.EventDuration, Reminder: cs.Reminder}, cs.DefaultCalendar
}

// onCalendarRequest performs what the calendar view asked for.
func (m *Model) onCalendarRequest(msg tea.Msg) tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	w := m.calWriter()
	switch msg := msg.(type) {
	case calview.HiddenChangedMsg:
		return func() tea.Msg {
			return CalendarWrittenMsg{Calendar: msg.Calendar, Err: w.st.SetCalendarHidden(w.ctx, msg.Calendar, msg.Hidden)}
		}
	case calview.SaveRequestedMsg:
		return func() tea.Msg { defer w.lock()(); return w.save(msg.SubmittedMsg) }
	case calview.DeleteRequestedMsg:
		return func() tea.Msg { defer w.lock()(); return w.remove(msg.Event, msg.Scope) }
	case calview.ResolveRequestedMsg:
		return func() tea.Msg { defer w.lock()(); return w.resolve(msg.Event, msg.KeepMine) }
	}
	return nil
}

// onCalendarWritten shows the outcome and reloads the view.
func (m *Model) onCalendarWritten(msg CalendarWrittenMsg) tea.Cmd {
	p := m.c.P
	var ce *calendar.ConflictError
	switch err := msg.Err; {
	case err == nil && msg.Done != "":
		m.status.SetNotice(p.T(msg.Done))
		if msg.Invites > 0 {
			m.status.SetNotice(p.T(msg.Done) + " " + p.T("tui.cal.invites_sent", msg.Invites))
		}
	case err == nil:
	case errors.Is(err, calendar.ErrQueued):
		m.status.SetNotice(p.T("tui.cal.queued"))
	case errors.As(err, &ce):
		m.status.SetError(p.T("tui.cal.conflict"))
	case errors.Is(err, calendar.ErrReadOnly):
		m.status.SetError(p.T("tui.cal.read_only"))
	default:
		m.status.SetError(p.T("tui.cal.write_failed", common.Clean(err.Error())))
	}
	if m.cal == nil {
		return nil
	}
	m.cal.Invalidate()
	return m.cal.Load(m.ctx, m.d.Store, m.accountIDs)
}

// calWriter is what a write Cmd copies from the model.
type calWriter struct {
	ctx     context.Context
	st      *store.Store
	names   map[store.AccountID]string
	connect func(ctx context.Context, account string) (*calendar.Syncer, error)
	loc     *time.Location
	now     time.Time
	cfg     *account.Config
	p       *i18n.Printer
	mu      *sync.Mutex // the model's: see lock
}

// open finds the calendar and its account's syncer. Without a connection
// (none configured, no password) the syncer only queues.
func (w calWriter) open(id store.CalendarID) (store.Calendar, *calendar.Syncer, account.Account, error) {
	cals, err := w.st.Calendars(w.ctx, 0)
	if err != nil {
		return store.Calendar{}, nil, account.Account{}, err
	}
	for _, c := range cals {
		if c.ID != id {
			continue
		}
		a, _ := w.cfg.Account(w.names[c.Account])
		var sy *calendar.Syncer
		if w.connect != nil {
			sy, _ = w.connect(w.ctx, a.Name)
		}
		if sy == nil {
			sy = &calendar.Syncer{Store: w.st, Account: c.Account, Loc: w.loc}
		}
		return c, sy, a, nil
	}
	return store.Calendar{}, nil, account.Account{}, fmt.Errorf("app: calendar %d: %w", id, store.ErrNotFound)
}

func (w calWriter) save(sub evedit.SubmittedMsg) CalendarWrittenMsg {
	d, ex := sub.Draft, sub.Existing
	out := CalendarWrittenMsg{Calendar: d.Calendar, Done: "tui.cal.saved"}
	cal, sy, acct, err := w.open(d.Calendar)
	if err != nil {
		out.Err = err
		return out
	}
	if ex.UID == "" {
		ev := calendar.NewEvent{UID: calendar.NewUID(), Summary: d.Title, Location: d.Location, Description: d.Description,
			Start: d.Start, End: d.End, AllDay: d.AllDay, RRule: d.RRule, Organizer: acct.Email, Attendees: d.Attendees,
			Reminder: d.Reminder, Remind: d.Remind}
		data, err := ev.Encode(sy.UTCOnly, w.now)
		if err != nil {
			out.Err = err
			return out
		}
		out.Err = sy.Save(w.ctx, cal, calendar.HrefFor(cal, ev.UID), store.CalObject{}, data)
		return w.invite(out, acct, data, d.Attendees)
	}
	obj, err := w.st.CalObject(w.ctx, ex.Object)
	if err != nil {
		out.Err = err
		return out
	}
	ch := change(d, ex)
	ch.Organizer = acct.Email
	updated, split, err := calendar.Edit(obj.Data, ex.UID, ex.RID, sub.Scope, ch, calendar.NewUID(), w.loc)
	if err != nil {
		out.Err = err
		return out
	}
	href := obj.Href
	if href == "" {
		href = obj.ConflictOf
	}
	if obj.Calendar != cal.ID { // moved to another calendar: written there, removed here
		from, fsy, _, err := w.open(obj.Calendar)
		if err == nil {
			if err = sy.Save(w.ctx, cal, calendar.HrefFor(cal, ex.UID), store.CalObject{}, updated); err == nil || errors.Is(err, calendar.ErrQueued) {
				err = errors.Join(err, fsy.Delete(w.ctx, from, obj))
			}
		}
		out.Err = err
		return w.invite(out, acct, updated, d.Attendees)
	}
	out.Err = sy.Save(w.ctx, cal, href, obj, updated)
	if split != "" && (out.Err == nil || errors.Is(out.Err, calendar.ErrQueued)) {
		_, series, perr := calendar.Parse(split, w.loc)
		if perr == nil {
			out.Err = errors.Join(out.Err, sy.Save(w.ctx, cal, calendar.HrefFor(cal, series[0].UID), store.CalObject{}, split))
		}
	}
	return w.invite(out, acct, updated, d.Attendees)
}

// change is the edit the draft makes to the occurrence ex.
func change(d evedit.Draft, ex evedit.Existing) calendar.Change {
	ch := calendar.Change{Summary: &d.Title, Location: &d.Location, Description: &d.Description,
		Attendees: &d.Attendees, RRule: &d.RRule}
	rem := time.Duration(-1)
	if d.Remind {
		rem = d.Reminder
	}
	ch.Reminder = &rem
	if d.AllDay != ex.AllDay {
		ch.AllDay = &d.AllDay
	}
	ch.Shift = d.Start.Sub(ex.Start)
	if d.End.Sub(d.Start) != ex.End.Sub(ex.Start) {
		ch.Duration = d.End.Sub(d.Start)
	}
	return ch
}

func (w calWriter) remove(ev calview.Event, scope calendar.Scope) CalendarWrittenMsg {
	out := CalendarWrittenMsg{Calendar: ev.Calendar, Done: "tui.cal.deleted"}
	obj, err := w.st.CalObject(w.ctx, ev.Object)
	if err != nil {
		out.Err = err
		return out
	}
	if obj.State == store.CalConflict { // a conflict copy is only local
		out.Err = w.st.DeleteCalObject(w.ctx, obj.ID)
		return out
	}
	cal, sy, _, err := w.open(obj.Calendar)
	if err != nil {
		out.Err = err
		return out
	}
	if !ev.Recurring || scope == calendar.ScopeAll {
		out.Err = sy.Delete(w.ctx, cal, obj)
		return out
	}
	data, err := calendar.Cancel(obj.Data, ev.UID, ev.RecurrenceID, scope, w.loc)
	if err != nil {
		out.Err = err
		return out
	}
	href := obj.Href
	if href == "" {
		href = obj.ConflictOf
	}
	out.Err = sy.Save(w.ctx, cal, href, obj, data)
	return out
}

func (w calWriter) resolve(ev calview.Event, keepMine bool) CalendarWrittenMsg {
	out := CalendarWrittenMsg{Calendar: ev.Calendar, Done: "tui.cal.resolved"}
	obj, err := w.st.CalObject(w.ctx, ev.Object)
	if err != nil {
		out.Err = err
		return out
	}
	cal, sy, _, err := w.open(obj.Calendar)
	if err != nil {
		out.Err = err
		return out
	}
	out.Err = sy.Resolve(w.ctx, cal, obj, keepMine)
	return out
}

// invite queues REQUEST mail to the attendees (iMIP, RFC 6047) once the
// event is stored; see invite.go.
func (w calWriter) invite(out CalendarWrittenMsg, acct account.Account, data string, attendees []string) CalendarWrittenMsg {
	if len(attendees) == 0 || (out.Err != nil && !errors.Is(out.Err, calendar.ErrQueued)) {
		return out
	}
	n, err := sendRequest(w.ctx, w.st, w.p, acct, data, attendees, w.now)
	if err != nil {
		out.Err = errors.Join(out.Err, err)
	}
	out.Invites = n
	return out
}

// flushQueuedCmd sends the calendar writes kept offline (the view opened:
// a good moment to try again), then reloads the view.
func (m *Model) flushQueuedCmd() tea.Cmd {
	if m.d.Store == nil || m.d.Calendars == nil {
		return nil
	}
	w := m.calWriter()
	accts := append([]store.AccountID(nil), m.accountIDs...)
	return func() tea.Msg {
		if w.flushQueued(accts) == 0 {
			return nil
		}
		return CalendarWrittenMsg{Done: "tui.cal.flushed"}
	}
}

// flushQueued sends the queued writes of the accounts' calendars that have
// any, and returns how many reached the server.
func (w calWriter) flushQueued(accts []store.AccountID) int {
	defer w.lock()()
	cals, err := calendarsOf(w.ctx, w.st, accts)
	if err != nil {
		return 0
	}
	sent := 0
	for _, c := range cals {
		q, err := w.st.CalObjectsIn(w.ctx, c.ID, store.CalPending, store.CalPendingDelete)
		if err != nil || len(q) == 0 {
			continue
		}
		if _, sy, _, err := w.open(c.ID); err == nil && sy.Client != nil {
			n, _ := sy.Flush(w.ctx, c)
			sent += n
		}
	}
	return sent
}

// calWriter copies what a write Cmd needs from the model.
func (m *Model) calWriter() calWriter {
	return calWriter{ctx: m.ctx, st: m.d.Store, names: m.accountNames(), connect: m.d.Calendars, loc: m.loc, now: m.now(),
		cfg: m.d.Config, p: m.c.P, mu: m.calMu}
}

// lock serialises the app's calendar writes and flushes (one Cmd each):
// two flushes of one queue at once would send a write twice, the second
// meeting its own first as a conflict. It returns the unlock.
func (w calWriter) lock() func() {
	if w.mu == nil {
		return func() {}
	}
	w.mu.Lock()
	return w.mu.Unlock
}
