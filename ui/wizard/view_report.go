package wizard

import (
	"errors"
	"slices"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

// maxFolders is how many folders the test result lists before "…and N more".
const maxFolders = 6

// viewReport draws the connection test: ✓ per step, or ✗ and the
// diagnosis.
func (m Model) viewReport(pg *page) {
	r := m.report
	name := defaultName(m.acct.Email, m.deps.Config)
	var shown []account.Problem // causes already explained
	diagnose := func(err error) {
		d := account.Diagnose(err)
		for _, l := range explain(m.p, name, d, !slices.Contains(shown, d.Problem)) {
			pg.text("  ", m.st.err, l)
		}
		shown = append(shown, d.Problem)
	}
	if r.IMAPErr != nil {
		pg.text("", m.st.err, m.p.T("account.test.imap_failed"))
		diagnose(r.IMAPErr)
	} else {
		pg.text("", m.st.ok, m.p.T("account.test.imap_ok", m.acct.LoginName()))
		m.viewFolders(pg)
	}
	switch {
	case r.SMTPSkipped:
		pg.text("", m.st.dim, m.p.T("account.test.smtp_none"))
	case r.SMTPErr != nil:
		pg.text("", m.st.err, m.p.T("account.test.smtp_failed"))
		diagnose(r.SMTPErr)
	default:
		pg.text("", m.st.ok, m.p.T("account.test.smtp_ok", m.acct.SMTP.Addr()))
	}
	pg.blank()
	if r.OK() {
		pg.text("", m.st.label, m.p.T("wizard.test.ok"))
	} else {
		pg.text("", m.st.label, m.p.T("wizard.test.retry"))
	}
}

// viewFolders lists the folders found, with roles and counts.
func (m Model) viewFolders(pg *page) {
	r := m.report
	if r.FoldersErr != nil {
		pg.text("", m.st.err, m.p.T("account.test.list_failed"))
		for _, l := range explain(m.p, "", account.Diagnose(r.FoldersErr), true) {
			pg.text("  ", m.st.err, l)
		}
		return
	}
	pg.text("", m.st.ok, m.p.T("wizard.test.folders", len(r.Folders)))
	var rows [][3]string
	for _, f := range r.Folders {
		if f.NoSelect {
			continue
		}
		role := ""
		if f.Role != "" {
			role = m.p.T("role." + string(f.Role))
		}
		count := m.p.T("wizard.test.messages", f.Messages)
		if f.Err != nil {
			count = m.st.err.Render("✗")
		}
		rows = append(rows, [3]string{ansi.Truncate(message.SanitizeLine(f.Name), 30, "…"), role, count})
	}
	shown := rows
	if len(rows) > maxFolders {
		shown = rows[:maxFolders]
	}
	var w [2]int
	for _, r := range shown {
		w[0], w[1] = max(w[0], ansi.StringWidth(r[0])), max(w[1], ansi.StringWidth(r[1]))
	}
	for _, r := range shown {
		pg.line("    " + pad(r[0], w[0]+2) + m.st.dim.Render(pad(r[1], w[1]+2)) + r[2])
	}
	if len(rows) > maxFolders {
		pg.text("    ", m.st.dim, m.p.T("wizard.test.more_folders", len(rows)-maxFolders))
	}
}

func (m Model) viewSync(pg *page) {
	pg.text("", m.st.dim, m.p.T("wizard.sync.intro"))
	pg.blank()
	for i, c := range bodyChoices() {
		label := m.p.T(c.label)
		if i == m.bodies {
			label = m.st.selected.Render(label)
		}
		pg.line(marker(i == m.bodies && !m.nameFocus) + label)
	}
	pg.blank()
	label := m.p.T("wizard.sync.name")
	if m.nameFocus {
		label = m.st.selected.Render(label)
	}
	pg.line(marker(m.nameFocus) + label + " " + m.name.View())
	if m.nameErr != "" {
		pg.text("  ", m.st.err, m.nameErr)
	}
}

func (m Model) viewSaveFailed(pg *page) {
	a := m.final()
	for _, l := range explainSaveError(m.p, a.Name, m.saveErr, m.rollback) {
		pg.text("", m.st.err, l)
	}
	pg.blank()
	switch {
	case m.rollback:
		pg.text("", m.st.dim, m.p.T("wizard.save.rolledback"))
		pg.blank()
		pg.text("", m.st.label, m.p.T("wizard.save.retry_any"))
	case errors.Is(m.saveErr, account.ErrKeyringUnavailable):
		pg.text("", m.st.label, m.p.T("wizard.save.instead"))
		lines := wrapText(passwordCmdLine(a), pg.w-4)
		for i, l := range lines {
			if i < len(lines)-1 {
				l += " \\"
			}
			pg.line("  " + m.st.title.Render(l))
		}
		pg.blank()
		pg.text("", m.st.label, m.p.T("wizard.save.retry"))
	default:
		pg.text("", m.st.label, m.p.T("wizard.save.retry_any"))
	}
}
