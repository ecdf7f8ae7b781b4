package migration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/migrate"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/wizard"
)

// Styles in the 16 basic colours, readable on light and dark backgrounds.
var (
	stTitle = lipgloss.NewStyle().Bold(true)
	stDim   = lipgloss.NewStyle().Faint(true)
	stSel   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan)
	stOK    = lipgloss.NewStyle().Foreground(lipgloss.Green)
	stErr   = lipgloss.NewStyle().Foreground(lipgloss.Red)
	stWarn  = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
)

// View draws the wizard in exactly the size given to SetSize: a title
// with the step, its body, and the step's keys on the last line.
func (m Model) View() string {
	n, key := m.stepTitle()
	title := stTitle.Render(m.p.T("mig.title")) + "  " + m.p.T("mig.step", n, 5, m.p.T(key))
	lines := []string{title, stDim.Render(strings.Repeat("─", m.w)), ""}
	lines = append(lines, m.body()...)
	if len(lines) > m.h-2 {
		lines = lines[:m.h-2]
	}
	for len(lines) < m.h-2 {
		lines = append(lines, "")
	}
	var hints []string
	for _, b := range m.hints() {
		hints = append(hints, b.Help().Key+" "+stDim.Render(b.Help().Desc))
	}
	lines = append(lines, "", strings.Join(hints, stDim.Render(" · ")))
	return common.Block(lines, m.w, m.h)
}

func (m Model) stepTitle() (int, string) {
	switch m.step {
	case stepPrepare:
		return 1, "mig.step.prepare"
	case stepConnect, stepPlanning, stepConnFail:
		return 2, "mig.step.connect"
	case stepPlan:
		return 3, "mig.step.plan"
	case stepRun:
		return 4, "mig.step.run"
	}
	return 5, "mig.step.report"
}

// wrap breaks text (which may hold newlines) into lines of at most w
// cells, CJK included (the setup wizard's rules); the first line starts
// with indent, the others with as many spaces.
func wrap(indent, text string, w int) []string {
	var out []string
	iw := ansi.StringWidth(indent)
	for _, para := range strings.Split(text, "\n") {
		for _, l := range wizard.Wrap(para, max(w-iw, 8)) {
			out = append(out, indent+l)
			indent = strings.Repeat(" ", iw)
		}
	}
	return out
}

func (m Model) body() []string {
	switch m.step {
	case stepPrepare:
		return m.viewPrepare()
	case stepConnect:
		return m.viewConnect()
	case stepPlanning:
		return []string{m.p.T("mig.planning", message.SanitizeLine(m.form.value(fieldAddr)), m.destName())}
	case stepConnFail:
		return m.viewConnFail()
	case stepPlan:
		return m.viewPlan()
	case stepRun:
		if m.askQuit {
			return append(m.viewQuit(), m.viewRun()...)
		}
		return m.viewRun()
	}
	return m.viewReport()
}

// viewPrepare: the providers on the left, the chosen one's checklist on
// the right (below it when the screen is narrow).
func (m Model) viewPrepare() []string {
	left := []string{m.p.T("mig.prepare.pick")}
	for i := 0; i <= len(m.providers); i++ {
		name := m.p.T("mig.prepare.other")
		if i < len(m.providers) {
			name = m.p.Pick(m.providers[i].Name.ZH, m.providers[i].Name.EN)
		}
		if i == m.cursor {
			left = append(left, stSel.Render("› "+name))
		} else {
			left = append(left, "  "+name)
		}
	}
	lw := 0
	for _, l := range left {
		lw = max(lw, ansi.StringWidth(l))
	}
	rw := m.w - lw - 3
	right := m.checklist(rw)
	out := make([]string, max(len(left), len(right)))
	for i := range out {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l + strings.Repeat(" ", lw-ansi.StringWidth(l)+3) + r
	}
	return out
}

// checklist is what to do on the old mailbox before migrating: the four
// things every provider needs, then the provider's own steps.
func (m Model) checklist(w int) []string {
	out := []string{stTitle.Render(m.p.T("mig.prepare.checklist"))}
	for i, k := range []string{"mig.check.imap", "mig.check.password", "mig.check.range", "mig.check.locks"} {
		out = append(out, wrap(fmt.Sprintf("%d. ", i+1), m.p.T(k), w)...)
	}
	if pr, ok := m.provider(); ok {
		out = append(out, "")
		out = append(out, wrap("", m.p.T("diag.provider_steps", m.p.Pick(pr.Name.ZH, pr.Name.EN)), w)...)
		out = append(out, wrap("", m.p.Pick(pr.AppPassword.ZH, pr.AppPassword.EN), w)...)
		if pr.HelpURL != "" {
			out = append(out, wrap("", m.p.T("diag.help_url", pr.HelpURL), w)...)
		}
	}
	return out
}

func (m Model) destName() string {
	if len(m.dest) == 0 {
		return "—"
	}
	a := m.dest[m.form.dest]
	return message.SanitizeLine(a.Name + " <" + a.Email + ">")
}

func (m Model) viewConnect() []string {
	f := m.form
	server, proto := "mig.connect.server", "IMAP"
	if f.pop3 {
		server, proto = "mig.connect.server_pop3", "POP3"
	}
	labels := []string{m.p.T("mig.connect.addr"), m.p.T("mig.connect.password"), m.p.T(server),
		m.p.T("mig.connect.proto"), m.p.T("mig.connect.security"), m.p.T("mig.connect.dest")}
	lw := 0
	for _, l := range labels {
		lw = max(lw, ansi.StringWidth(l))
	}
	values := []string{message.SanitizeLine(string(f.text[fieldAddr])), strings.Repeat("•", len(f.text[fieldPassword])),
		message.SanitizeLine(string(f.text[fieldServer])), proto, m.p.T("mig.security." + string(f.security)), m.destName()}
	var out []string
	for i, l := range labels {
		v := values[i]
		if i >= fieldProto {
			v = "‹ " + v + " ›"
		}
		mark := "  "
		if i == f.focus {
			mark = stSel.Render("› ")
			if i <= fieldServer {
				v += "▏"
			}
		}
		out = append(out, mark+l+strings.Repeat(" ", lw-ansi.StringWidth(l)+2)+v)
	}
	out = append(out, "")
	if f.pop3 {
		out = append(out, wrap("", m.p.T("mig.connect.pop3_hint"), m.w)...)
		out = append(out, "")
	}
	if f.problem != "" {
		out = append(out, stErr.Render(m.p.T(f.problem)), "")
	}
	return append(out, wrap("", m.p.T("mig.connect.hint"), m.w)...)
}

func (m Model) viewConnFail() []string {
	side, name := m.p.T("mig.side.source"), message.SanitizeLine(m.form.value(fieldAddr))
	if m.connSide == migrate.SideDest {
		side, name = m.p.T("mig.side.destination"), m.destName()
	}
	out := []string{stErr.Render(m.p.T("mig.connfail", side, name)), ""}
	var ce *migrate.ConnError
	if errors.As(m.connErr, &ce) {
		d := account.Diagnose(ce.Err)
		for _, l := range wizard.Explain(m.p, name, d) {
			out = append(out, wrap("", l, m.w)...)
		}
		return out
	}
	return append(out, wrap("", m.p.T("mig.error", message.SanitizeLine(fmt.Sprint(m.connErr))), m.w)...)
}

// viewPlan lists the folders (a window around the cursor when they do
// not fit) and the total of the chosen ones with an estimate.
func (m Model) viewPlan() []string {
	out := []string{m.p.T("mig.plan.head", message.SanitizeLine(m.form.value(fieldAddr)), m.destName())}
	rows := make([][]string, 0, len(m.plan.Folders))
	for i, f := range m.plan.Folders {
		box := "[ ]"
		if m.selected[i] {
			box = "[x]"
		}
		dest := message.SanitizeLine(f.Dest)
		if !f.DestExists {
			dest += " " + m.p.T("mig.plan.new")
		}
		rows = append(rows, []string{box, message.SanitizeLine(f.Path), "→ " + dest,
			m.p.T("mig.plan.count", f.Messages), humanize.IBytes(uint64(f.Size))})
	}
	room := max(m.h-10, 3)
	first := max(0, min(m.pcursor-room/2, len(rows)-room))
	lines := table(rows)
	for i := first; i < len(lines) && i < first+room; i++ {
		if i == m.pcursor {
			out = append(out, stSel.Render("› ")+lines[i])
		} else {
			out = append(out, "  "+lines[i])
		}
	}
	count, size := m.chosen()
	out = append(out, "", m.p.T("mig.plan.total", count, humanize.IBytes(uint64(size)), duration(m.p.T, estimate(count, size))))
	if !anyTrue(m.selected) {
		out = append(out, stWarn.Render(m.p.T("mig.plan.none")))
	}
	return out
}

// table aligns cells into columns by terminal width (CJK-correct).
func table(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	out := make([]string, len(rows))
	for j, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		out[j] = b.String()
	}
	return out
}

// duration words d coarsely: hours and minutes, minutes and seconds, or
// seconds.
func duration(t func(string, ...any) string, d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return t("mig.dur.h", s/3600, s%3600/60)
	case s >= 60:
		return t("mig.dur.m", s/60, s%60)
	}
	return t("mig.dur.s", s)
}

func (m Model) viewRun() []string {
	r := m.run
	state := m.p.T("mig.run.running")
	switch {
	case r.stopping:
		state = stWarn.Render(m.p.T("mig.run.stopping"))
	case r.gate.Paused() && r.gate.Waiting() > 0:
		state = stWarn.Render(m.p.T("mig.run.paused"))
	case r.gate.Paused():
		state = stWarn.Render(m.p.T("mig.run.pausing"))
	}
	out := []string{state, ""}
	rows := [][]string{{m.p.T("mig.col.folder"), m.p.T("mig.col.total"), m.p.T("mig.col.copied"), m.p.T("mig.col.already"), m.p.T("mig.col.failed"), ""}}
	for _, f := range r.folders {
		rows = append(rows, []string{message.SanitizeLine(f.Folder), fmt.Sprint(f.Total), fmt.Sprint(f.Copied),
			fmt.Sprint(max(f.Done-f.Copied-f.Failed, 0)), fmt.Sprint(f.Failed), m.p.T("mig.phase." + phaseKey(f.Phase))})
	}
	t := r.totals()
	rows = append(rows, []string{m.p.T("mig.col.all"), fmt.Sprint(r.total), fmt.Sprint(t.Copied),
		fmt.Sprint(max(t.Done-t.Copied-t.Failed, 0)), fmt.Sprint(t.Failed), ""})
	lines := table(rows)
	// When the folders do not fit, show a window from the first one not
	// done yet, with the header and the total kept.
	if room := max(m.h-16, 3); len(r.folders) > room {
		first := len(r.folders) - room
		for i, f := range r.folders {
			if f.Phase != migrate.PhaseDone {
				first = min(i, first)
				break
			}
		}
		lines = slices.Concat(lines[:1], lines[1+first:1+first+room], lines[len(lines)-1:])
	}
	out = append(out, lines...)
	elapsed := m.d.Now().Sub(r.started)
	rate := 0.0
	if secs := elapsed.Seconds(); secs > 0 {
		rate = float64(t.Copied+t.Already+t.Failed) / secs
	}
	eta := "—"
	if rate > 0 {
		eta = duration(m.p.T, time.Duration(float64(max(r.total-t.Done, 0))/rate*float64(time.Second)))
	}
	out = append(out, "", m.p.T("mig.run.bytes", humanize.IBytes(uint64(r.doneBytes())), humanize.IBytes(uint64(r.bytes))),
		m.p.T("mig.run.rate", rate, duration(m.p.T, elapsed), eta), "")
	return append(out, wrap("", m.p.T("mig.run.hint"), m.w)...)
}

func phaseKey(p migrate.Phase) string {
	if p == "" {
		return "wait"
	}
	return string(p)
}

func (m Model) viewReport() []string {
	out := m.reportLines()
	switch {
	case m.ferr != nil:
		out = append(out, "", stErr.Render(m.p.T("mig.report.save_failed", message.SanitizeLine(m.ferr.Error()))))
	case m.file != "":
		out = append(out, "")
		out = append(out, wrap("", m.p.T("mig.report.saved", m.file), m.w)...)
	}
	return out
}

// reportLines is the report as shown and as saved: the verdict, the
// totals, then each folder that is not verified with its failures and
// what to do.
func (m Model) reportLines() []string {
	p, rep := m.p, m.rep
	t := rep.Totals()
	var out []string
	switch {
	case rep.Verified():
		out = append(out, stOK.Render(p.T("mig.verdict.ok", t.SourceCount)))
	case rep.Interrupted:
		out = append(out, stWarn.Render(p.T("mig.verdict.stopped")))
	default:
		out = append(out, stErr.Render(p.T("mig.verdict.failed", max(t.Missing, t.Failed))))
	}
	out = append(out, p.T("mig.report.totals", len(rep.Folders), t.SourceCount, t.Copied, t.Already, t.Previously, t.Failed))
	for _, f := range rep.Folders {
		if f.Verdict == migrate.VerdictOK {
			continue
		}
		out = append(out, "", p.T("mig.report.folder", message.SanitizeLine(f.Source), message.SanitizeLine(f.Dest), p.T("mig.fverdict."+string(f.Verdict))))
		for _, fl := range f.Failures {
			out = append(out, wrap("  ", p.T("migrate.failure", fl.UID, message.SanitizeLine(fl.MessageID), humanize.IBytes(uint64(fl.Size)),
				p.T("migrate.reason."+string(fl.Reason)), message.SanitizeLine(fl.Detail)), m.w)...)
		}
		if f.Err != "" {
			out = append(out, wrap("  ", p.T("mig.error", message.SanitizeLine(f.Err)), m.w)...)
		}
	}
	if m.rerr != nil && !rep.Interrupted {
		out = append(out, "", p.T("mig.error", message.SanitizeLine(m.rerr.Error())))
	}
	if !rep.Verified() {
		out = append(out, "")
		out = append(out, wrap("", p.T("mig.report.again"), m.w)...)
	}
	return out
}
