package evedit

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// View draws the form in exactly width × height cells: a title line, one
// line per field (label column, value), completions under Attendees, the
// error or the scope question, and the key hints.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	p, st := m.c.P, m.c.Styles
	title := p.T("tui.evedit.new")
	if m.existing.UID != "" {
		title = p.T("tui.evedit.edit")
	}
	lines := []string{st.Title.Render(common.Fit(" "+title, m.width)), ""}
	labelW := 0
	for f := range nFields {
		labelW = max(labelW, ansi.StringWidth(p.T(fieldLabel(f))))
	}
	for f := range nFields {
		if !m.visible(f) {
			continue
		}
		label := common.FitLeft(p.T(fieldLabel(f)), labelW)
		val := m.value(f)
		vw := max(m.width-labelW-5, 1)
		if f == m.focus {
			if m.isText(f) {
				val = ansi.TruncateLeft(val, max(ansi.StringWidth(val)-vw+1, 0), "") + "_"
			} else {
				val = "< " + val + " >"
			}
			lines = append(lines, " "+st.PaneTitle.Render(label)+" > "+st.RowSelected.Render(common.Fit(val, vw)))
		} else {
			lines = append(lines, " "+st.HeaderKey.Render(label)+"   "+common.Fit(val, vw))
		}
		if f == FieldAttendees && f == m.focus {
			for i, s := range m.sugg {
				item := s.Addr
				if n := common.Clean(s.Name); n != "" {
					item = n + " <" + s.Addr + ">"
				}
				line := strings.Repeat(" ", labelW+4) + common.Fit(item, max(m.width-labelW-5, 1))
				if i == m.pick {
					line = st.RowSelected.Render(line)
				}
				lines = append(lines, line)
			}
		}
	}
	lines = append(lines, "")
	switch {
	case m.scoping:
		lines = append(lines, " "+st.StatusNote.Render(p.T("tui.evedit.scope")))
	case m.err != "":
		lines = append(lines, " "+st.StatusError.Render(m.err))
	}
	foot := " " + p.T("tui.evedit.hint")
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), m.height-1)], st.StatusHint.Render(common.Fit(foot, m.width)))
	return common.Block(lines, m.width, m.height)
}

func fieldLabel(f Field) string {
	return [...]string{"tui.evedit.title", "tui.evedit.start", "tui.evedit.end", "tui.evedit.all_day",
		"tui.evedit.location", "tui.evedit.description", "tui.evedit.calendar", "tui.evedit.attendees",
		"tui.evedit.reminder", "tui.evedit.repeat", "tui.evedit.rule"}[f]
}

// value is a field's text as shown.
func (m Model) value(f Field) string {
	p := m.c.P
	switch f {
	case FieldAllDay:
		if m.allDay {
			return p.T("tui.evedit.yes")
		}
		return p.T("tui.evedit.no")
	case FieldCalendar:
		if len(m.cals) == 0 {
			return p.T("tui.evedit.no_calendar")
		}
		return common.Clean(m.cals[m.calIdx].Name)
	case FieldReminder:
		return reminderText(m, reminderChoices[m.remIdx])
	case FieldRepeat:
		return p.T("tui.evedit.repeat." + [...]string{"none", "daily", "weekly", "monthly", "yearly", "custom"}[m.repIdx])
	}
	return common.Clean(string(m.text[f]))
}

func reminderText(m Model, d time.Duration) string {
	p := m.c.P
	switch {
	case d < 0:
		return p.T("tui.evedit.reminder.none")
	case d == 0:
		return p.T("tui.evedit.reminder.at_start")
	case d%(24*time.Hour) == 0:
		return p.T("tui.evedit.reminder.days", int(d/(24*time.Hour)))
	case d%time.Hour == 0:
		return p.T("tui.evedit.reminder.hours", int(d/time.Hour))
	}
	return p.T("tui.evedit.reminder.minutes", int(d/time.Minute))
}
