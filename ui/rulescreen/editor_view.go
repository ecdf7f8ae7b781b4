package rulescreen

import (
	"strings"

	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// view lists the editor's rows, the selected one marked with ">" and its
// focused column in brackets. An open prompt or picker takes room rows
// below the title instead.
func (e editor) view(m Model, room int) []string {
	p := m.p
	title := p.T("rscr.ed.title_new")
	if e.orig != "" {
		title = p.T("rscr.ed.title_edit", common.Clean(e.orig))
	}
	lines := []string{title}
	if e.input != nil || e.pick != nil {
		h := max(room-1, 3)
		var v string
		if e.input != nil {
			in := *e.input
			in.SetSize(m.w, h)
			v = in.View()
		} else {
			pk := *e.pick
			pk.SetSize(m.w, h)
			v = pk.View()
		}
		return append(lines, strings.Split(v, "\n")...)
	}
	for i := range e.rows() {
		kind, idx := e.rowAt(i)
		sel := i == e.cursor
		var text string
		switch kind {
		case rowName:
			text = p.T("rscr.ed.name_row", common.Clean(e.r.Name))
		case rowAny:
			text = p.T("rscr.ed.all")
			if e.r.Any {
				text = p.T("rscr.ed.any")
			}
		case rowEnabled:
			text = "[x] " + p.T("rscr.ed.enabled")
			if e.r.Disabled {
				text = "[ ] " + p.T("rscr.ed.enabled")
			}
		case rowCond:
			text = p.T("rscr.ed.if") + " " + e.condText(m, e.r.Conditions[idx], sel)
		case rowAddCond:
			text = p.T("rscr.ed.add_cond")
		case rowAction:
			text = p.T("rscr.ed.then") + " " + e.actionText(m, e.r.Actions[idx], sel)
		case rowAddAction:
			text = p.T("rscr.ed.add_action")
		}
		prefix := "  "
		if sel {
			prefix = "> "
		}
		lines = append(lines, common.Fit(prefix+text, m.w))
	}
	if e.err != "" {
		lines = append(lines, "", common.Fit(e.err, m.w))
	}
	return lines
}

// cell brackets the focused column of the selected row.
func cell(s string, focus bool) string {
	if focus {
		return "[" + s + "]"
	}
	return s
}

func (e editor) condText(m Model, c rules.Condition, sel bool) string {
	p := m.p
	cols := condCols(c)
	var parts []string
	if c.Not {
		parts = append(parts, p.T("rscr.ed.not"))
	}
	for i, col := range cols {
		focus := sel && i == min(e.col, len(cols)-1)
		var s string
		switch col {
		case "field":
			s = p.T("rscr.field." + string(c.Field))
		case "header":
			s = common.Clean(c.Header)
		case "match":
			s = p.T("rscr.match." + string(c.Match))
		case "value":
			switch {
			case c.Field == rules.FieldSize:
				s = rules.FormatSize(c.Size)
			case c.Value == "":
				s = p.T("rscr.ed.empty_value")
			default:
				s = `"` + common.Clean(c.Value) + `"`
			}
		}
		parts = append(parts, cell(s, focus))
	}
	return strings.Join(parts, " ")
}

func (e editor) actionText(m Model, a rules.Action, sel bool) string {
	p := m.p
	cols := actionCols(a)
	parts := []string{cell(p.T("rscr.action."+string(a.Kind)), sel && e.col == 0)}
	if len(cols) > 1 {
		s := common.Clean(a.Arg)
		if s == "" {
			s = p.T("rscr.ed.empty_value")
		}
		parts = append(parts, cell(s, sel && e.col >= 1))
	}
	return strings.Join(parts, " ")
}
