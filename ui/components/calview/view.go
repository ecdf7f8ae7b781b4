package calview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/calendar/lunar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// View draws the current mode in exactly width × height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.editor != nil {
		return m.editor.View()
	}
	lines := []string{m.headerLine(), m.legendLine()}
	bodyH := max(m.height-len(lines), 0)
	var body []string
	switch m.mode {
	case ModeMonth:
		body = m.monthView(bodyH)
	case ModeWeek:
		body = m.weekView(bodyH)
	case ModeDay:
		body = m.dayView()
	default:
		body = m.agendaView()
	}
	out := append(lines, body...)
	if q := m.question(); q != "" {
		out = append(out[:min(len(out), m.height-1)], m.c.Styles.StatusNote.Render(common.Fit(" "+q, m.width)))
		for len(out) < m.height {
			out = append(out[:len(out)-1], "", out[len(out)-1])
		}
	}
	return common.Block(out, m.width, m.height)
}

// question is the last line while the view asks something.
func (m Model) question() string {
	ev, ok := m.Selected()
	if !ok {
		return ""
	}
	switch m.ask {
	case askDelete:
		return m.c.P.T("tui.cal.ask_delete", m.eventTitle(ev))
	case askDeleteScope:
		return m.c.P.T("tui.cal.ask_delete_scope")
	case askResolve:
		return m.c.P.T("tui.cal.ask_resolve")
	case askReadOnly:
		return m.c.P.T("tui.cal.read_only")
	}
	return ""
}

// isSelected reports whether e is the selected event of the cursor's day.
func (m Model) isSelected(d time.Time, i int) bool {
	if !d.Equal(m.cursor) {
		return false
	}
	n := m.countOn(d)
	return n > 0 && i == min(m.sel, n-1)
}

func (m Model) weekdayName(w time.Weekday) string {
	return m.c.P.T("calendar.weekday." + strings.ToLower(w.String()[:3]))
}

// headerLine names the period and the mode.
func (m Model) headerLine() string {
	p, st := m.c.P, m.c.Styles
	var title string
	switch m.mode {
	case ModeMonth:
		title = p.Pick(fmt.Sprintf("%d年%d月", m.cursor.Year(), int(m.cursor.Month())), fmt.Sprintf("%s %d", m.cursor.Month(), m.cursor.Year()))
	case ModeWeek:
		from, to := m.Range()
		title = from.Format("2006-01-02") + " - " + to.AddDate(0, 0, -1).Format("01-02")
	default:
		title = m.cursor.Format("2006-01-02") + " " + m.weekdayName(m.cursor.Weekday())
	}
	if m.opts.Lunar && m.mode != ModeAgenda {
		d := m.lc.Date(m.cursor.Year(), m.cursor.Month(), m.cursor.Day())
		text := d.String()
		if p.Lang() != i18n.ZH {
			text = p.T("tui.cal.lunar_day", d.Month, d.Day)
		}
		title += "  " + p.T("tui.cal.lunar_of", text)
	}
	mode := p.T([]string{"tui.cal.mode.month", "tui.cal.mode.week", "tui.cal.mode.day", "tui.cal.mode.agenda"}[m.mode])
	if m.loading {
		mode = p.T("tui.cal.loading") + "  " + mode
	}
	rw := ansi.StringWidth(mode) + 1
	return st.Title.Render(common.Fit(" "+title, max(m.width-rw, 0))) + st.TitleDim.Render(common.FitLeft(mode+" ", min(rw, m.width)))
}

// legendLine lists the calendars with their colours and toggle keys.
func (m Model) legendLine() string {
	st := m.c.Styles
	if m.err != nil {
		return st.StatusError.Render(" " + m.c.P.T("tui.cal.load_failed"))
	}
	if len(m.cals) == 0 {
		return st.Empty.Render(" " + m.c.P.T("tui.cal.no_calendars"))
	}
	var b strings.Builder
	b.WriteString(" ")
	for i, c := range m.cals {
		name := common.Clean(c.Name)
		if name == "" {
			name = "#" + fmt.Sprint(i+1)
		}
		if i < 9 {
			name = fmt.Sprintf("%d ", i+1) + name
		}
		if c.Hidden {
			b.WriteString(st.TitleDim.Render("-" + name + " " + m.c.P.T("tui.cal.hidden")))
		} else {
			b.WriteString(m.colorOf(c.ID).Render(name))
		}
		b.WriteString("  ")
	}
	return b.String()
}

func (m Model) colorOf(id store.CalendarID) lipgloss.Style {
	for _, c := range m.cals {
		if c.ID == id && len(c.Color) >= 7 && c.Color[0] == '#' {
			return lipgloss.NewStyle().Foreground(lipgloss.Color(c.Color[:7]))
		}
	}
	return m.c.Styles.Folder
}

// dayInfo is the lunar line of a date and its holiday badge.
func (m Model) dayInfo(d time.Time) (line string, badge string, special bool) {
	ld := m.lc.Date(d.Year(), d.Month(), d.Day())
	if h := ld.Holiday; !h.IsZero() {
		if h.Work {
			badge = m.c.P.T("calendar.badge_work")
		} else {
			badge = m.c.P.T("calendar.badge_off")
		}
	}
	if !m.opts.Lunar {
		return "", badge, false
	}
	switch {
	case ld.Festival != "":
		return m.c.P.T("lunar.name." + ld.Festival), badge, true
	case ld.Term >= 0:
		return m.c.P.T("lunar.name." + lunar.TermName(ld.Term)), badge, true
	case ld.SolarFestival != "":
		return m.c.P.T("lunar.name." + ld.SolarFestival), badge, true
	}
	if m.c.P.Lang() == i18n.ZH {
		return ld.Short(), badge, false
	}
	if ld.Day == 1 {
		return m.c.P.T("tui.cal.lunar_month", ld.Month), badge, false
	}
	return m.c.P.T("tui.cal.lunar_day", ld.Month, ld.Day), badge, false
}

func (m Model) today() time.Time {
	t := m.now().In(m.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, m.loc)
}

// eventTitle is an event's title; a conflict copy is marked with "!".
func (m Model) eventTitle(e Event) string {
	title := common.Clean(e.Summary)
	if title == "" {
		title = m.c.P.T("tui.cal.untitled")
	}
	if e.Conflict {
		title = "!" + title
	}
	if e.Pending {
		title = "*" + title
	}
	return title
}

// eventText is one event in a cell: time (not for all-day) and title.
func (m Model) eventText(e Event, withEnd bool) string {
	title := m.eventTitle(e)
	if e.AllDay {
		return title
	}
	t := e.Start.In(m.loc).Format("15:04")
	if withEnd {
		t += "-" + e.End.In(m.loc).Format("15:04")
	}
	return t + " " + title
}

// columns splits width into 7 cells.
func (m Model) columns() []int {
	cw := m.width / 7
	cols := make([]int, 7)
	for i := range cols {
		cols[i] = cw
	}
	cols[6] += m.width - 7*cw
	return cols
}

// cell draws one date of the month or week grid as h lines of w cells.
func (m Model) cell(d time.Time, w, h int, inMonth bool, timed bool) []string {
	st := m.c.Styles
	w1 := max(w-1, 0) // one space between cells
	lines := make([]string, 0, h)
	num := fmt.Sprintf("%2d", d.Day())
	if m.mode == ModeWeek {
		num = m.weekdayName(d.Weekday()) + " " + num
	}
	lunarLine, badge, special := m.dayInfo(d)
	head := common.Fit(num, max(w1-ansi.StringWidth(badge), 0))
	switch {
	case d.Equal(m.cursor):
		head = st.RowSelected.Render(head)
	case d.Equal(m.today()):
		head = st.Title.Reverse(true).Render(head)
	case !inMonth:
		head = st.TitleDim.Render(head)
	}
	if badge != "" {
		bs := st.StatusNote
		if badge == m.c.P.T("calendar.badge_work") {
			bs = st.StatusError
		}
		head += bs.Render(badge)
	}
	lines = append(lines, common.FitStyled(head, w1)+" ")
	if m.opts.Lunar && len(lines) < h {
		ls := st.TitleDim
		if special {
			ls = st.PaneTitle
		}
		lines = append(lines, ls.Render(common.Fit(lunarLine, w1))+" ")
	}
	evs := m.eventsOn(d)
	for i, e := range evs {
		if len(lines) >= h {
			break
		}
		if len(lines) == h-1 && i < len(evs)-1 {
			lines = append(lines, st.TitleDim.Render(common.Fit(m.c.P.T("tui.cal.more", len(evs)-i), w1))+" ")
			break
		}
		es := m.colorOf(e.Calendar)
		if m.isSelected(d, i) {
			es = es.Reverse(true)
		}
		lines = append(lines, es.Render(common.Fit(m.eventText(e, false), w1))+" ")
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines
}

// monthView is the grid: a weekday header and the weeks of the month.
func (m Model) monthView(h int) []string {
	cols := m.columns()
	var head strings.Builder
	for i := range 7 {
		wd := time.Weekday((int(m.opts.WeekStart) + i) % 7)
		head.WriteString(m.c.Styles.PaneTitle.Render(common.Fit(" "+m.weekdayName(wd), cols[i])))
	}
	out := []string{head.String()}
	start, _ := m.Range()
	first := time.Date(m.cursor.Year(), m.cursor.Month(), 1, 0, 0, 0, 0, m.loc)
	last := first.AddDate(0, 1, -1)
	weeks := (int(last.Sub(start).Hours()/24+0.5))/7 + 1
	rowH := max((h-1)/weeks, 1)
	for wk := range weeks {
		cells := make([][]string, 7)
		for i := range 7 {
			d := start.AddDate(0, 0, wk*7+i)
			cells[i] = m.cell(d, cols[i], rowH, d.Month() == m.cursor.Month(), false)
		}
		for r := range rowH {
			var b strings.Builder
			for i := range 7 {
				b.WriteString(cells[i][r])
			}
			out = append(out, b.String())
		}
	}
	return out
}

// weekView is seven columns of the week's events.
func (m Model) weekView(h int) []string {
	cols := m.columns()
	start, _ := m.Range()
	cells := make([][]string, 7)
	for i := range 7 {
		d := start.AddDate(0, 0, i)
		cells[i] = m.cell(d, cols[i], h, true, true)
	}
	out := make([]string, 0, h)
	for r := range h {
		var b strings.Builder
		for i := range 7 {
			b.WriteString(cells[i][r])
		}
		out = append(out, b.String())
	}
	return out
}

// dayView lists one day's events with times, places and calendars.
func (m Model) dayView() []string {
	st := m.c.Styles
	var out []string
	if line, badge, _ := m.dayInfo(m.cursor); line != "" || badge != "" {
		out = append(out, " "+st.PaneTitle.Render(strings.TrimSpace(line+" "+badge)))
	}
	out = append(out, m.eventLines(m.cursor, m.eventsOn(m.cursor))...)
	if len(m.eventsOn(m.cursor)) == 0 {
		out = append(out, st.Empty.Render(" "+m.c.P.T("tui.cal.no_events")))
	}
	return out
}

func (m Model) eventLines(d time.Time, evs []Event) []string {
	var out []string
	for i, e := range evs {
		when := m.c.P.T("calendar.all_day")
		if !e.AllDay {
			when = e.Start.In(m.loc).Format("15:04") + "-" + e.End.In(m.loc).Format("15:04")
		}
		mark, ts := "   ", m.colorOf(e.Calendar)
		if m.isSelected(d, i) {
			mark, ts = " > ", ts.Reverse(true)
		}
		line := mark + common.Fit(when, 11) + " " + ts.Render(m.eventTitle(e))
		if loc := common.Clean(e.Location); loc != "" {
			line += m.c.Styles.TitleDim.Render("  @ " + loc)
		}
		out = append(out, line)
	}
	return out
}

// agendaView lists two weeks from the cursor, by day.
func (m Model) agendaView() []string {
	st := m.c.Styles
	var out []string
	for i := range 14 {
		d := m.cursor.AddDate(0, 0, i)
		evs := m.eventsOn(d)
		if len(evs) == 0 {
			continue
		}
		head := d.Format("2006-01-02") + " " + m.weekdayName(d.Weekday())
		if line, badge, _ := m.dayInfo(d); line != "" || badge != "" {
			head += "  " + strings.TrimSpace(line+" "+badge)
		}
		hs := st.PaneTitle
		if d.Equal(m.today()) {
			hs = st.Title.Reverse(true)
		}
		out = append(out, " "+hs.Render(head))
		out = append(out, m.eventLines(d, evs)...)
	}
	if len(out) == 0 {
		out = append(out, st.Empty.Render(" "+m.c.P.T("tui.cal.no_events")))
	}
	return out
}
