package msglist

import (
	"fmt"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// dateW is the width of the date column: "2006-01-02".
const dateW = 10

// View draws the rows on screen, exactly width × height cells. Only the
// visible rows are formatted.
func (m Model) View() string {
	st := m.c.Styles
	if len(m.view) == 0 {
		text := m.c.P.T("tui.list.empty")
		if m.loading || !m.loaded {
			text = m.c.P.T("tui.list.loading")
		}
		return common.Block([]string{st.Empty.Render(common.Fit(" "+text, m.width))}, m.width, m.height)
	}
	// The rows are built exactly m.width cells wide and painted with the
	// styles' sequences worked out once: measuring each line again (Fit,
	// lipgloss, Block) cost more than formatting it.
	row, unread, selected := common.NewPaint(st.Row), common.NewPaint(st.RowUnread), common.NewPaint(st.RowSelected)
	var b strings.Builder
	b.Grow(m.height * (m.width + 48))
	n := 0
	for vi := m.offset; vi < len(m.view) && n < m.height; vi++ {
		it := m.view[vi]
		r := m.at(it)
		line := m.row(r, vi == m.cursor, it.child >= 0)
		paint := row
		switch {
		case vi == m.cursor && m.focused:
			paint = selected
		case !r.Flags.Has(store.FlagSeen):
			paint = unread
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(paint.Render(line))
		n++
	}
	blank := strings.Repeat(" ", max(m.width, 0))
	for ; n < m.height; n++ {
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(blank)
	}
	return b.String()
}

// row formats one message as plain text of exactly m.width cells:
// cursor, marks (unread *, flagged !, attachment @), [account], sender,
// subject, date. In the thread view a thread of several messages shows
// [+n] (collapsed) or [-n] (expanded) before its subject, and the messages
// of an expanded thread are indented under it. Every string from mail is
// sanitised first.
func (m Model) row(r store.Message, selected, child bool) string {
	var b strings.Builder
	if selected {
		b.WriteByte('>')
	} else {
		b.WriteByte(' ')
	}
	b.WriteByte(mark(!r.Flags.Has(store.FlagSeen), '*'))
	b.WriteByte(mark(r.Flags.Has(store.FlagFlagged), '!'))
	b.WriteByte(mark(r.HasAttachment, '@'))
	b.WriteByte(' ')
	rest := m.width - 5
	if m.showAccount && rest > 40 {
		b.WriteString(common.Fit(common.Clean(m.accountNames[r.Account]), 8))
		b.WriteByte(' ')
		rest -= 9
	}
	fromW := max(min(rest/4, 24), 10)
	who := m.who(r)
	if child {
		who = "  " + who
	}
	b.WriteString(common.Fit(who, fromW))
	b.WriteByte(' ')
	subjW := max(rest-fromW-1-dateW-1, 1)
	subj := common.Clean(r.Subject)
	if subj == "" {
		subj = m.c.P.T("tui.list.no_subject")
	}
	if n := m.count[r.Thread]; m.threaded && n > 1 && !child {
		sign := '+'
		if m.Expanded(r.Thread) {
			sign = '-'
		}
		subj = fmt.Sprintf("[%c%d] %s", sign, n, subj)
	}
	b.WriteString(common.Fit(subj, subjW))
	b.WriteByte(' ')
	b.WriteString(common.FitLeft(m.date(r.SortDate()), dateW))
	if subjW == rest-fromW-1-dateW-1 {
		return b.String() // exactly m.width cells by construction
	}
	return common.Fit(b.String(), m.width)
}

func mark(on bool, c byte) byte {
	if on {
		return c
	}
	return ' '
}

func (m Model) who(r store.Message) string {
	if m.showTo && len(r.To) > 0 {
		a := r.To[0]
		if a.Name != "" {
			return common.Clean(a.Name)
		}
		return common.Clean(a.Addr)
	}
	if r.From.Name != "" {
		return common.Clean(r.From.Name)
	}
	return common.Clean(r.From.Addr)
}

// date writes a time briefly: the time of day today, month-day this year,
// else the full date.
func (m Model) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(m.loc)
	now := m.now().In(m.loc)
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("01-02")
	}
	return t.Format("2006-01-02")
}
