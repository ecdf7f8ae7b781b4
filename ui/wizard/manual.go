package wizard

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// The manual form's fields, in focus order.
const (
	fieldIMAP = iota
	fieldIMAPSecurity
	fieldSMTP
	fieldSMTPSecurity
	fieldUsername
	fieldCount
)

// securityChoices are the security options of the form; "" picks by port.
func securityChoices() []account.Security {
	return []account.Security{"", account.SecurityTLS, account.SecuritySTARTTLS, account.SecurityInsecurePlain}
}

// manualForm is the "type the servers in" form: IMAP and SMTP host:port
// with their security, and an optional login name.
type manualForm struct {
	imap, smtp, user field
	imapSec, smtpSec int // index into securityChoices
	focus            int
	err              string
	errField         int
}

func newManualForm(p *i18n.Printer) manualForm {
	f := manualForm{
		imap: newInput("", p.T("wizard.manual.placeholder")),
		smtp: newInput("", p.T("wizard.manual.smtp_hint")),
		user: newInput("", p.T("wizard.manual.username_hint")),
	}
	return f
}

func (f *manualForm) setWidth(w int) {
	f.imap.SetWidth(w)
	f.smtp.SetWidth(w)
	f.user.SetWidth(w)
}

// fill puts discovered servers into the form (empty fields for zero ones).
func (f *manualForm) fill(d account.Discovery, email string) {
	set := func(ti *field, sec *int, e account.Endpoint) {
		ti.Reset()
		*sec = 0
		if e.IsZero() {
			return
		}
		ti.SetValue(e.Addr())
		for i, s := range securityChoices() {
			if s == e.Security {
				*sec = i
			}
		}
	}
	set(&f.imap, &f.imapSec, d.IMAP)
	set(&f.smtp, &f.smtpSec, d.SMTP)
	f.user.Reset()
	if d.Username != "" && !strings.EqualFold(d.Username, email) {
		f.user.SetValue(d.Username)
	}
	f.err = ""
}

// input is the text field with the focus, nil on a security choice.
func (f *manualForm) input() *field {
	switch f.focus {
	case fieldIMAP:
		return &f.imap
	case fieldSMTP:
		return &f.smtp
	case fieldUsername:
		return &f.user
	}
	return nil
}

// setFocus moves the focus to field i (wrapping) and returns the cursor
// blink Cmd of a text field.
func (f *manualForm) setFocus(i int) tea.Cmd {
	f.blurAll()
	f.focus = (i + fieldCount) % fieldCount
	if ti := f.input(); ti != nil {
		return ti.Focus()
	}
	return nil
}

func (f *manualForm) blurAll() {
	f.imap.Blur()
	f.smtp.Blur()
	f.user.Blur()
}

// update passes a message to the focused text field.
func (f manualForm) update(msg tea.Msg) (manualForm, tea.Cmd) {
	ti := f.input()
	if ti == nil {
		return f, nil
	}
	var cmd tea.Cmd
	*ti, cmd = ti.Update(msg)
	return f, cmd
}

// cycle changes the security of the focused security field.
func (f *manualForm) cycle(delta int) {
	n := len(securityChoices())
	switch f.focus {
	case fieldIMAPSecurity:
		f.imapSec = (f.imapSec + delta + n) % n
	case fieldSMTPSecurity:
		f.smtpSec = (f.smtpSec + delta + n) % n
	}
}

// endpoints parses the form; problem is the catalogue text and the field.
func (f manualForm) endpoints(p *i18n.Printer) (imap, smtp account.Endpoint, user string, problem string, field int) {
	sec := securityChoices()
	v := strings.TrimSpace(f.imap.Value())
	if v == "" {
		return imap, smtp, "", p.T("wizard.manual.need_imap"), fieldIMAP
	}
	imap, err := account.ParseEndpoint(v, sec[f.imapSec])
	if err != nil {
		return imap, smtp, "", p.T("wizard.manual.bad_server", "IMAP"), fieldIMAP
	}
	if v := strings.TrimSpace(f.smtp.Value()); v != "" {
		if smtp, err = account.ParseEndpoint(v, sec[f.smtpSec]); err != nil {
			return imap, smtp, "", p.T("wizard.manual.bad_server", "SMTP"), fieldSMTP
		}
	}
	return imap, smtp, strings.TrimSpace(f.user.Value()), "", 0
}

// insecure reports whether a security field says plaintext.
func (f manualForm) insecure() bool {
	plain := len(securityChoices()) - 1
	return f.imapSec == plain || f.smtpSec == plain
}

// toManual opens the form.
func (m Model) toManual() (Model, tea.Cmd) {
	m.step = stepManual
	m.manual.err = ""
	return m, m.manual.setFocus(fieldIMAP)
}

// keyManual moves between the fields, cycles the security choices, and
// takes the servers on enter in the last field.
func (m Model) keyManual(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	f := &m.manual
	onChoice := f.input() == nil
	switch {
	case keyMatches(msg, m.keys.Back):
		f.blurAll()
		m.step = stepDiscovered
		return m, nil
	case keyMatches(msg, m.keys.Prev):
		return m, f.setFocus(f.focus - 1)
	case keyMatches(msg, m.keys.Field):
		return m, f.setFocus(f.focus + 1)
	case onChoice && keyMatches(msg, m.keys.Cycle):
		delta := 1
		if msg.String() == "left" {
			delta = -1
		}
		f.cycle(delta)
		return m, nil
	case keyMatches(msg, m.keys.Next):
		if f.focus < fieldUsername {
			return m, f.setFocus(f.focus + 1)
		}
		return m.submitManual()
	case onChoice:
		return m, nil
	}
	var cmd tea.Cmd
	m.manual, cmd = m.manual.update(msg)
	return m, cmd
}

// submitManual checks the form and goes on to the password.
func (m Model) submitManual() (Model, tea.Cmd) {
	imap, smtp, user, problem, field := m.manual.endpoints(m.p)
	if problem != "" {
		m.manual.err, m.manual.errField = problem, field
		return m, m.manual.setFocus(field)
	}
	m.manual.err = ""
	m.manual.blurAll()
	m.acct.IMAP, m.acct.SMTP, m.acct.POP3 = imap, smtp, account.Endpoint{}
	m.acct.Username = user
	// The discovered preset's quirks still apply if its server was kept.
	m.acct.Provider = ""
	if pr, ok := account.LookupProvider(m.disc.Provider); ok && m.discErr == nil && strings.EqualFold(pr.IMAP.Host, imap.Host) {
		m.acct.Provider = pr.ID
	}
	m.from = fromManual
	return m.toPassword()
}
