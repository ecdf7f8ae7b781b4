package app

import (
	"context"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Reminders: while the app runs, a minute tick reads the calendar cache
// and announces every alarm (VALARM, RFC 5545 §3.6.6) that fell due since
// the last tick, in the status bar and as a desktop notification.

// reminderLookahead bounds how far before an event a reminder may fire.
const reminderLookahead = 8 * 24 * time.Hour

// reminderTickMsg is the minute tick; at is the end of the window checked.
type reminderTickMsg struct{ at time.Time }

// RemindersDueMsg carries the reminders due in (From, To].
type RemindersDueMsg struct {
	From, To time.Time
	Due      []Reminder
	Err      error
}

// Reminder is one alarm that fired.
type Reminder struct {
	Title, Location string
	Start           time.Time
	AllDay          bool
}

func reminderTickCmd(ctx context.Context) tea.Cmd {
	return tickCmd(ctx, time.Minute, func(t time.Time) tea.Msg { return reminderTickMsg{at: t} })
}

// remindersCmd reads the cache for alarms due in (from, to].
func remindersCmd(ctx context.Context, st *store.Store, accounts []store.AccountID, from, to time.Time, loc *time.Location) tea.Cmd {
	accts := append([]store.AccountID(nil), accounts...)
	return func() tea.Msg {
		msg := RemindersDueMsg{From: from, To: to}
		var ids []store.CalendarID
		for _, a := range accts {
			cals, err := st.Calendars(ctx, a)
			if err != nil {
				msg.Err = err
				return msg
			}
			for _, c := range cals {
				if !c.Hidden {
					ids = append(ids, c.ID)
				}
			}
		}
		ex := &calendar.Expander{Store: st, Loc: loc}
		objs, err := ex.Objects(ctx, ids, from, to.Add(reminderLookahead))
		if err != nil {
			msg.Err = err
			return msg
		}
		msg.Due = dueReminders(ctx, ex, objs, from, to)
		_ = ex.Backfill(ctx) // rows of an older cache: read faster next time
		return msg
	}
}

// dueReminders lists the alarms of objs (read by ex) that fire in
// (from, to].
func dueReminders(ctx context.Context, ex *calendar.Expander, objs []store.CalObject, from, to time.Time) []Reminder {
	var out []Reminder
	for _, o := range objs {
		if o.State == store.CalPendingDelete {
			continue
		}
		occs, err := ex.Expand(ctx, o, from, to.Add(reminderLookahead))
		if err != nil {
			continue
		}
		for _, oc := range occs {
			for _, r := range oc.Reminders {
				if at := oc.Start.Add(-r); at.After(from) && !at.After(to) {
					out = append(out, Reminder{Title: oc.Summary, Location: oc.Location, Start: oc.Start, AllDay: oc.AllDay})
					break
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// onReminderTick checks the minute just passed and re-arms the tick.
func (m *Model) onReminderTick(msg reminderTickMsg) tea.Cmd {
	from := m.remindedTo
	if from.IsZero() || msg.at.Sub(from) > time.Hour { // first tick, or after a suspend: no flood
		from = msg.at.Add(-time.Minute)
	}
	m.remindedTo = msg.at
	if m.d.Store == nil {
		return reminderTickCmd(m.ctx)
	}
	return tea.Batch(reminderTickCmd(m.ctx), remindersCmd(m.ctx, m.d.Store, m.accountIDs, from, msg.at, m.loc))
}

// onRemindersDue shows the due reminders.
func (m *Model) onRemindersDue(msg RemindersDueMsg) tea.Cmd {
	if msg.Err != nil || len(msg.Due) == 0 {
		return nil
	}
	p := m.c.P
	var cmds []tea.Cmd
	for _, r := range msg.Due {
		title := common.Clean(r.Title)
		if title == "" {
			title = p.T("tui.cal.untitled")
		}
		when := r.Start.In(m.loc).Format("15:04")
		if r.AllDay {
			when = p.T("calendar.all_day")
		}
		text := p.T("tui.cal.reminder", when, title)
		if loc := common.Clean(r.Location); loc != "" {
			text += " @ " + loc
		}
		m.status.SetNotice(text)
		if notify := m.d.Notify; notify != nil {
			cmds = append(cmds, func() tea.Msg { notify(p.T("tui.cal.reminder_title"), text); return nil })
		}
	}
	return tea.Batch(cmds...)
}
