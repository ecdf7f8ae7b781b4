package wizard

import (
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

// totalSteps is the number of steps the title counts.
const totalSteps = 5

// View draws the wizard in the size given to SetSize: a title with the
// step, the step's body, and the key hints on the last line.
func (m Model) View() string {
	w, h := max(m.w, 20), max(m.h, 6)
	n, titleKey := m.stepTitle()
	title := m.st.title.Render(m.p.T("wizard.title")) + "  " + m.p.T("wizard.step", n, totalSteps, m.p.T(titleKey))
	rule := m.st.rule.Render(strings.Repeat("─", w))
	pg := &page{w: w}
	m.body(pg)
	help := m.help.View(m.KeyMap())
	lines := append([]string{title, rule, ""}, pg.lines...)
	lines = fit(lines, w, h-2)
	lines = append(lines, "", ansi.Truncate(help, w, "…"))
	return strings.Join(lines, "\n")
}

// stepTitle is the step's number and title key.
func (m Model) stepTitle() (int, string) {
	switch m.step {
	case stepProvider:
		return 1, "wizard.step.provider"
	case stepAddress:
		return 2, "wizard.step.address"
	case stepDiscovering, stepDiscovered, stepManual:
		return 2, "wizard.step.servers"
	case stepPassword:
		return 3, "wizard.step.password"
	case stepProbing, stepProbed:
		return 4, "wizard.step.test"
	}
	return 5, "wizard.step.sync"
}

// body draws the current step.
func (m Model) body(pg *page) {
	switch m.step {
	case stepProvider:
		m.viewProviders(pg)
	case stepAddress:
		m.viewAddress(pg)
	case stepDiscovering:
		pg.line(m.spin.View() + " " + m.p.T("account.discovering", m.acct.Email))
	case stepDiscovered:
		m.viewDiscovered(pg)
	case stepManual:
		m.viewManual(pg)
	case stepPassword:
		m.viewPassword(pg)
	case stepProbing:
		pg.line(m.spin.View() + " " + m.p.T("wizard.test.running", m.acct.IMAP.Addr()))
	case stepProbed:
		m.viewReport(pg)
	case stepSync:
		m.viewSync(pg)
	case stepSaving:
		pg.line(m.spin.View() + " " + m.p.T("wizard.save.running"))
	case stepSaveFailed:
		m.viewSaveFailed(pg)
	case stepDone:
		pg.text("", m.st.ok, m.p.T("wizard.done", m.final().Name))
	}
}

// marker is the cursor column of a list row.
func marker(on bool) string {
	if on {
		return "> "
	}
	return "  "
}

func (m Model) viewProviders(pg *page) {
	pg.text("", m.st.title, m.p.T("wizard.welcome"))
	pg.blank()
	names := make([]string, len(m.providers))
	col := 0
	for i, pr := range m.providers {
		names[i] = m.p.Pick(pr.Name.ZH, pr.Name.EN)
		col = max(col, ansi.StringWidth(names[i]))
	}
	for i, pr := range m.providers {
		row := pad(names[i], col+2) + m.st.dim.Render(ansi.Truncate(strings.Join(pr.Domains, ", "), max(pg.w-col-4, 0), "…"))
		if i == m.cursor {
			row = m.st.selected.Render(pad(names[i], col+2)) + m.st.dim.Render(ansi.Truncate(strings.Join(pr.Domains, ", "), max(pg.w-col-4, 0), "…"))
		}
		pg.line(marker(i == m.cursor) + row)
	}
	other := m.p.T("wizard.provider.other")
	if m.cursor == len(m.providers) {
		other = m.st.selected.Render(other)
	}
	pg.line(marker(m.cursor == len(m.providers)) + other)
}

func (m Model) viewAddress(pg *page) {
	if pr, ok := m.provider(); ok && !m.other {
		pg.text("", m.st.dim, m.p.T("wizard.address.provider", m.p.Pick(pr.Name.ZH, pr.Name.EN)))
		pg.blank()
	}
	pg.text("", m.st.label, m.p.T("wizard.address.prompt"))
	pg.line("> " + m.addr.View())
	if m.addrErr != "" {
		pg.text("", m.st.err, m.addrErr)
	}
	if m.other {
		pg.blank()
		pg.text("", m.st.dim, m.p.T("wizard.address.discover"))
	}
}

func (m Model) viewDiscovered(pg *page) {
	if m.discErr != nil {
		var de *account.DiscoveryError
		if !errors.As(m.discErr, &de) {
			pg.text("", m.st.err, m.p.T("wizard.discover.failed", message.SanitizeLine(m.discErr.Error())))
		} else {
			pg.text("", m.st.err, m.p.T("discover.none", de.Email))
			for _, a := range de.Tried {
				l := "  - " + a.Method + " " + message.SanitizeLine(a.Target)
				if a.Err != nil {
					l += ": " + message.SanitizeLine(a.Err.Error())
				}
				pg.line(m.st.dim.Render(l))
			}
		}
		pg.blank()
		pg.text("", m.st.label, m.p.T("wizard.discover.manual"))
		return
	}
	d := m.disc
	pg.text("", m.st.ok, "✓ "+m.p.T("account.discovered", d.Source, d.IMAP.String(), d.SMTP.String()))
	if pr, ok := account.LookupProvider(d.Provider); ok {
		pg.text("  ", m.st.dim, m.p.T("wizard.address.provider", m.p.Pick(pr.Name.ZH, pr.Name.EN)))
	}
	if d.Unverified {
		pg.blank()
		pg.text("", m.st.warn, m.p.T("wizard.discover.unverified"))
	}
	pg.blank()
	pg.text("", m.st.label, m.p.T("wizard.discover.confirm"))
}

func (m Model) viewManual(pg *page) {
	f := m.manual
	pg.text("", m.st.dim, m.p.T("wizard.manual.intro"))
	pg.blank()
	labels := []string{
		m.p.T("wizard.manual.imap"), m.p.T("wizard.manual.security"),
		m.p.T("wizard.manual.smtp"), m.p.T("wizard.manual.security"), m.p.T("wizard.manual.username"),
	}
	col := 0
	for _, l := range labels {
		col = max(col, ansi.StringWidth(l))
	}
	secs := securityChoices()
	choice := func(i int) string {
		s := secs[i]
		if s == "" {
			return "‹ " + m.p.T("wizard.security.auto") + " ›"
		}
		return "‹ " + m.p.T("wizard.security."+string(s)) + " ›"
	}
	values := []string{f.imap.View(), choice(f.imapSec), f.smtp.View(), choice(f.smtpSec), f.user.View()}
	for i, l := range labels {
		label := pad(l, col+2)
		if i == f.focus {
			label = m.st.selected.Render(label)
		}
		pg.line(marker(i == f.focus) + label + values[i])
	}
	if f.err != "" {
		pg.blank()
		pg.text("", m.st.err, f.err)
	}
	if f.insecure() {
		pg.blank()
		pg.text("", m.st.warn, m.p.T("wizard.manual.insecure"))
	}
}

func (m Model) viewPassword(pg *page) {
	if pr, ok := m.provider(); ok {
		name := m.p.Pick(pr.Name.ZH, pr.Name.EN)
		if steps := m.p.Pick(pr.AppPassword.ZH, pr.AppPassword.EN); steps != "" {
			pg.text("", m.st.label, m.p.T("diag.provider_steps", name))
			pg.text("  ", m.st.dim.UnsetFaint(), steps)
		}
		if pr.HelpURL != "" {
			pg.text("", m.st.dim, m.p.T("diag.help_url", pr.HelpURL))
		}
		if pr.OAuthOnly {
			pg.text("", m.st.warn, m.p.T("wizard.password.oauth", name))
		}
	} else {
		pg.text("", m.st.dim, m.p.T("wizard.password.generic"))
	}
	pg.blank()
	pg.text("", m.st.label, m.p.T("account.password.prompt", m.acct.Email))
	pg.line("> " + m.password.View())
	if m.pwErr != "" {
		pg.text("", m.st.err, m.pwErr)
	}
	pg.text("", m.st.dim, m.p.T("wizard.password.kept"))
}
