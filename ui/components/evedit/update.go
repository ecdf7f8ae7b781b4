package evedit

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
)

// Update handles keys and pastes.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if m.isText(m.focus) {
			m.text[m.focus] = append(m.text[m.focus], []rune(strings.ReplaceAll(msg.Content, "\n", " "))...)
			m.suggest()
		}
	case tea.KeyPressMsg:
		if m.scoping {
			return m.onScope(msg)
		}
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onScope(k tea.KeyPressMsg) (Model, tea.Cmd) {
	var scope calendar.Scope
	switch k.String() {
	case "1":
		scope = calendar.ScopeThis
	case "2":
		scope = calendar.ScopeFollowing
	case "3":
		scope = calendar.ScopeAll
	case "esc":
		m.scoping = false
		return m, nil
	default:
		return m, nil
	}
	return m.submit(scope)
}

func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	ks := newKeys(m.c)
	m.err = ""
	switch {
	case key.Matches(k, ks.cancel):
		if m.sugg != nil {
			m.sugg = nil
			return m, nil
		}
		return m, func() tea.Msg { return CancelledMsg{} }
	case key.Matches(k, ks.save):
		if _, err := m.draft(); err != "" {
			m.err = err
			return m, nil
		}
		if m.existing.Recurring {
			m.scoping = true
			return m, nil
		}
		return m.submit(calendar.ScopeAll)
	case m.sugg != nil && (k.String() == "down" || k.String() == "up"):
		if k.String() == "down" {
			m.pick = (m.pick + 1) % len(m.sugg)
		} else {
			m.pick = (m.pick + len(m.sugg) - 1) % len(m.sugg)
		}
	case m.sugg != nil && (k.String() == "enter" || k.String() == "tab"):
		m.accept()
	case key.Matches(k, ks.next) || k.String() == "enter":
		m.move(1)
	case key.Matches(k, ks.prev):
		m.move(-1)
	case !m.isText(m.focus) && key.Matches(k, ks.choose):
		dir := 1
		if k.String() == "left" {
			dir = -1
		}
		m.choose(dir)
	case m.isText(m.focus):
		m.edit(k)
	}
	return m, nil
}

func (m Model) isText(f Field) bool {
	switch f {
	case FieldAllDay, FieldCalendar, FieldReminder, FieldRepeat:
		return false
	}
	return true
}

// visible reports whether a field shows (the custom rule only with
// Repeat = custom).
func (m Model) visible(f Field) bool {
	return f != FieldRule || repeatChoices[m.repIdx] == "custom"
}

func (m *Model) move(dir int) {
	m.sugg = nil
	f := m.focus
	for range nFields {
		f = (f + Field(dir) + nFields) % nFields
		if m.visible(f) {
			break
		}
	}
	m.focus = f
}

func (m *Model) choose(dir int) {
	wrap := func(i, n int) int { return (i + dir + n) % n }
	switch m.focus {
	case FieldAllDay:
		// Each field converts on its own: a half-typed one stays as it is.
		from, to := layoutTimed, layoutDate
		if m.allDay {
			from, to = layoutDate, layoutTimed
		}
		for _, f := range []Field{FieldStart, FieldEnd} {
			if t, err := time.ParseInLocation(from, strings.TrimSpace(string(m.text[f])), m.loc); err == nil {
				if to == layoutTimed {
					t = t.Add(9 * time.Hour)
					if f == FieldEnd {
						t = t.Add(time.Hour)
					}
				}
				m.text[f] = []rune(t.Format(to))
			}
		}
		m.allDay = !m.allDay
	case FieldCalendar:
		if len(m.cals) > 0 {
			m.calIdx = wrap(m.calIdx, len(m.cals))
		}
	case FieldReminder:
		m.remIdx = wrap(m.remIdx, len(reminderChoices))
	case FieldRepeat:
		m.repIdx = wrap(m.repIdx, len(repeatChoices))
	}
}

func (m *Model) edit(k tea.KeyPressMsg) {
	t := m.text[m.focus]
	switch k.String() {
	case "backspace":
		if len(t) > 0 {
			t = t[:len(t)-1]
		}
	case "ctrl+u":
		t = nil
	case "space":
		t = append(t, ' ')
	default:
		if k.Text == "" {
			return
		}
		t = append(t, []rune(k.Text)...)
	}
	m.text[m.focus] = t
	m.suggest()
}

// suggest completes the address being typed in Attendees.
func (m *Model) suggest() {
	m.sugg, m.pick = nil, 0
	if m.focus != FieldAttendees {
		return
	}
	v := string(m.text[FieldAttendees])
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return
	}
	for _, k := range m.known {
		if strings.Contains(strings.ToLower(k.Addr), v) || strings.Contains(strings.ToLower(k.Name), v) {
			m.sugg = append(m.sugg, k)
			if len(m.sugg) == 5 {
				break
			}
		}
	}
}

func (m *Model) accept() {
	v := string(m.text[FieldAttendees])
	head := ""
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		head = v[:i+1] + " "
	}
	m.text[FieldAttendees] = []rune(head + m.sugg[m.pick].Addr + ", ")
	m.sugg, m.pick = nil, 0
}

// times parses Start and End; an all-day End is the last day, inclusive.
func (m Model) times() (time.Time, time.Time, string) {
	layout := layoutTimed
	if m.allDay {
		layout = layoutDate
	}
	start, err := time.ParseInLocation(layout, strings.TrimSpace(string(m.text[FieldStart])), m.loc)
	if err != nil {
		return start, start, m.c.P.T("tui.evedit.err_start", layout)
	}
	end, err := time.ParseInLocation(layout, strings.TrimSpace(string(m.text[FieldEnd])), m.loc)
	if err != nil {
		return start, start, m.c.P.T("tui.evedit.err_end", layout)
	}
	if m.allDay {
		end = end.AddDate(0, 0, 1)
	}
	if !end.After(start) && !(end.Equal(start) && !m.allDay) {
		return start, end, m.c.P.T("tui.evedit.err_order")
	}
	return start, end, ""
}

// draft reads the form; a non-empty string says what is wrong.
func (m Model) draft() (Draft, string) {
	start, end, bad := m.times()
	if bad != "" {
		return Draft{}, bad
	}
	d := Draft{Title: strings.TrimSpace(string(m.text[FieldTitle])), Location: strings.TrimSpace(string(m.text[FieldLocation])),
		Description: strings.TrimSpace(string(m.text[FieldDescription])), Start: start, End: end, AllDay: m.allDay}
	if len(m.cals) > 0 {
		d.Calendar = m.cals[m.calIdx].ID
	}
	for _, a := range strings.Split(string(m.text[FieldAttendees]), ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if i := strings.LastIndexByte(a, '<'); i >= 0 && strings.HasSuffix(a, ">") {
			a = a[i+1 : len(a)-1]
		}
		if !strings.Contains(a, "@") {
			return Draft{}, m.c.P.T("tui.evedit.err_attendee", a)
		}
		d.Attendees = append(d.Attendees, a)
	}
	if r := reminderChoices[m.remIdx]; r >= 0 {
		d.Reminder, d.Remind = r, true
	}
	d.RRule = repeatChoices[m.repIdx]
	if d.RRule == "custom" {
		d.RRule = strings.TrimPrefix(strings.TrimSpace(string(m.text[FieldRule])), "RRULE:")
		if d.RRule == "" || calendar.CheckRRule(d.RRule) != nil {
			return Draft{}, m.c.P.T("tui.evedit.err_rule")
		}
	}
	return d, ""
}

func (m Model) submit(scope calendar.Scope) (Model, tea.Cmd) {
	d, bad := m.draft()
	if bad != "" {
		m.err, m.scoping = bad, false
		return m, nil
	}
	msg := SubmittedMsg{Draft: d, Existing: m.existing, Scope: scope}
	m.scoping = false
	return m, func() tea.Msg { return msg }
}
