package rulescreen

import (
	"strconv"
	"strings"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// noSieveText says plainly that the auto-reply needs the provider's web
// settings, and which page: a reply that only works while this terminal is
// open would fail the people who write.
func (m Model) noSieveText() string {
	p := m.p
	page := p.T("rules.vacation.page.default")
	if a, ok := m.d.Config.Account(m.account); ok && a.Provider != "" {
		if k := "rules.vacation.page." + a.Provider; p.T(k) != k {
			page = p.T(k)
		}
	}
	return p.T("rules.vacation.no_sieve", common.Clean(m.account), page)
}

// view lists the form's rows; the body shows its first lines (all of them
// while it is edited, with a cursor).
func (f vacForm) view(m Model, room int) []string {
	p := m.p
	lines := []string{p.T("rscr.vac.title")}
	if m.place.Server == "" {
		return append(lines, m.wrap("", m.noSieveText())...)
	}
	if f.input != nil {
		in := *f.input
		in.SetSize(m.w, max(room-1, 3))
		return append(lines, strings.Split(in.View(), "\n")...)
	}
	if f.inBody {
		lines = append(lines, p.T("rscr.vac.body_editing"))
		for _, l := range strings.Split(string(f.body)+"_", "\n") {
			lines = append(lines, common.Fit("  │ "+common.Clean(l), m.w))
		}
		if over := len(lines) - room; over > 0 { // keep the cursor's end in view
			lines = append(lines[:2], lines[2+over:]...)
		}
		return lines
	}
	row := func(i int, text string) {
		prefix := "  "
		if i == f.cursor {
			prefix = "> "
		}
		lines = append(lines, common.Fit(prefix+text, m.w))
	}
	box := func(on bool) string {
		if on {
			return "[x] "
		}
		return "[ ] "
	}
	open := p.T("rscr.vac.open")
	row(vacEnabled, box(f.v.Enabled)+p.T("rscr.vac.enabled"))
	row(vacStart, p.T("rscr.vac.start", cmpStr(dateText(f.v.Start), open)))
	row(vacEnd, p.T("rscr.vac.end", cmpStr(dateText(f.v.End), open)))
	row(vacSubject, p.T("rscr.vac.subject_row", common.Clean(f.v.Subject)))
	body := strings.Split(strings.TrimRight(f.v.Body, "\n"), "\n")
	row(vacBody, p.T("rscr.vac.body_row", common.Clean(body[0])))
	for _, l := range body[1:min(len(body), 4)] {
		lines = append(lines, common.Fit("      "+common.Clean(l), m.w))
	}
	if len(body) > 4 {
		lines = append(lines, common.Fit("      …", m.w))
	}
	lines = append(lines, common.Fit("  "+p.T("rscr.vac.addresses"), m.w))
	for i, a := range f.addrs {
		row(vacAddrs+i, "  "+box(f.on[a])+common.Clean(a))
	}
	row(f.daysRow(), p.T("rscr.vac.days", strconv.Itoa(f.v.Days)))
	if f.err != "" {
		lines = append(lines, "", common.Fit(f.err, m.w))
	}
	return lines
}
