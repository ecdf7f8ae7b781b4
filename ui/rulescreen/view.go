package rulescreen

import (
	"cmp"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/wizard"
)

// View draws the screen in exactly the size given to SetSize: the title
// and where the rules run, the rules, the lists and the vacation reply,
// other scripts, a status line and the keys.
func (m Model) View() string {
	p := m.p
	title := lipgloss.NewStyle().Bold(true)
	dim := lipgloss.NewStyle().Faint(true)
	sel := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan)
	bad := lipgloss.NewStyle().Foreground(lipgloss.Red)

	lines := []string{title.Render(p.T("rscr.title", common.Clean(m.account)))}
	switch {
	case !m.loaded && m.busy:
		lines = append(lines, dim.Render(p.T("rscr.loading")))
	case !m.loaded:
	case m.place.Server != "":
		lines = append(lines, m.wrap("", p.T("rscr.where.server", common.Clean(m.place.Server)))...)
	case m.place.Guessed != "":
		lines = append(lines, m.wrap("", p.T("rscr.where.guessed", common.Clean(m.place.Guessed)))...)
	default:
		lines = append(lines, m.wrap("", p.T("rscr.where.local"))...)
	}
	lines = append(lines, dim.Render(strings.Repeat("─", max(m.w, 0))))

	var status string
	switch {
	case m.err != "":
		status = bad.Render(m.err)
	case m.confirm:
		status = p.T("rscr.confirm_remove", common.Clean(m.set.Rules[m.cursor].Name))
	case m.busy && m.loaded:
		status = dim.Render(p.T("rscr.saving"))
	case m.note != "":
		status = m.note
	}
	foot := append(m.wrap("", status), m.hintLines(dim)...)
	room := max(m.h-len(foot), 0)
	switch {
	case m.editing:
		lines = append(lines, m.ed.view(m, room-len(lines))...)
	case m.vacOn:
		lines = append(lines, m.vac.view(m, room-len(lines))...)
	case m.loaded:
		lines = append(lines, m.body(sel, dim)...)
	}
	if len(lines) > room {
		lines = lines[:room]
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	return common.Block(append(lines, foot...), m.w, m.h)
}

// body lists the rules, the lists, the vacation reply and other scripts.
func (m Model) body(sel, dim lipgloss.Style) []string {
	p := m.p
	var lines []string
	if m.place.Edited {
		lines = append(lines, m.wrap("", p.T("rscr.edited"))...)
		for _, l := range strings.Split(strings.TrimRight(m.place.Script, "\n"), "\n") {
			lines = append(lines, dim.Render("  │ "+common.Clean(l)))
		}
		return lines
	}
	if len(m.set.Rules) == 0 {
		lines = append(lines, dim.Render(p.T("rscr.empty")))
	}
	for i, r := range m.set.Rules {
		box := "[x]"
		if r.Disabled {
			box = "[ ]"
		}
		var conds, acts []string
		for _, c := range r.Conditions {
			conds = append(conds, c.String())
		}
		for _, a := range r.Actions {
			acts = append(acts, a.String())
		}
		join := " & "
		if r.Any {
			join = " | "
		}
		row := common.Clean(box + " " + r.Name + "  " + strings.Join(conds, join) + " → " + strings.Join(acts, " "))
		if i == m.cursor {
			lines = append(lines, sel.Render(common.Fit("> "+row, m.w)))
		} else {
			lines = append(lines, "  "+row)
		}
	}
	lines = append(lines, "")
	if len(m.set.Block) > 0 {
		lines = append(lines, m.wrap("", p.T("rscr.block", common.Clean(strings.Join(m.set.Block, ", "))))...)
	}
	if len(m.set.Allow) > 0 {
		lines = append(lines, m.wrap("", p.T("rscr.allow", common.Clean(strings.Join(m.set.Allow, ", "))))...)
	}
	if v := m.set.Vacation; v != nil && v.Enabled {
		lines = append(lines, m.wrap("", p.T("rscr.vacation", dateOr(v.Start.Format("2006-01-02"), v.Start.IsZero()),
			dateOr(v.End.Format("2006-01-02"), v.End.IsZero()), cmp.Or(v.Days, 7), common.Clean(v.Subject)))...)
	}
	for _, f := range m.place.Others {
		lines = append(lines, m.wrap("", p.T("rscr.other", common.Clean(f.Name)))...)
	}
	if m.sender != "" {
		lines = append(lines, "", m.wrap("", p.T("rscr.sender", common.Clean(m.sender)))[0])
	}
	return lines
}

func dateOr(s string, zero bool) string {
	if zero {
		return ".."
	}
	return s
}

// wrap breaks text into lines of the screen's width (CJK counted as two
// cells), the first starting with indent.
func (m Model) wrap(indent, text string) []string {
	if text == "" {
		return nil
	}
	var out []string
	for _, l := range wizard.Wrap(text, max(m.w-len(indent), 8)) {
		out = append(out, indent+l)
	}
	return out
}

// hintLines packs the keys into as few lines of the screen's width as
// they need.
func (m Model) hintLines(dim lipgloss.Style) []string {
	var out []string
	cur, curW := "", 0
	sep := dim.Render(" · ")
	for _, b := range m.hints() {
		item := b.Help().Key + " " + dim.Render(b.Help().Desc)
		w := ansi.StringWidth(item)
		switch {
		case cur == "":
			cur, curW = item, w
		case curW+3+w <= m.w:
			cur, curW = cur+sep+item, curW+3+w
		default:
			out = append(out, cur)
			cur, curW = item, w
		}
	}
	return append(out, cur)
}

// hints are the keys that do something now.
func (m Model) hints() []keyBinding {
	k := m.keys
	switch {
	case m.editing && (m.ed.input != nil || m.ed.pick != nil):
		return []keyBinding{k.Change, k.Close}
	case m.editing:
		return []keyBinding{k.Up, k.Down, k.Left, k.Right, k.Cycle, k.Change, k.Not, k.Remove, k.Commit, k.Close}
	case m.vacOn && m.vac.input != nil:
		return []keyBinding{k.Change, k.Close}
	case m.vacOn && m.vac.inBody:
		return []keyBinding{k.Commit, k.Close}
	case m.vacOn && m.place.Server == "":
		return []keyBinding{k.Close}
	case m.vacOn:
		return []keyBinding{k.Up, k.Down, k.Left, k.Right, k.Cycle, k.Change, k.Remove, k.Template, k.Commit, k.Close}
	}
	out := []keyBinding{k.Up, k.Down, k.Toggle, k.Edit, k.New, k.MoveUp, k.MoveDown, k.Remove, k.Vacation}
	if m.place.Edited || !m.loaded {
		out = nil
	}
	if m.sender != "" && m.loaded && !m.place.Edited {
		out = append(out, k.Block, k.Allow)
	}
	if len(m.d.Config.Accounts) > 1 {
		out = append(out, k.Account)
	}
	return append(out, k.Close)
}
