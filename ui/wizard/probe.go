package wizard

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
)

// keyPassword edits the password; enter starts the connection test.
func (m Model) keyPassword(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Back):
		m.password.Blur()
		return m.backToServers()
	case keyMatches(msg, m.keys.Next):
		pw := m.password.Value()
		if pw == "" {
			m.pwErr = m.p.T("wizard.password.empty")
			return m, nil
		}
		m.pwErr = ""
		m.password.Blur()
		a := m.acct
		a.Name = defaultName(a.Email, m.deps.Config)
		var d account.Dialer
		if m.deps.Dialer != nil {
			d = *m.deps.Dialer
		}
		id, ctx, tick := m.startRequest()
		m.step = stepProbing
		return m, tea.Batch(tick, probeCmd(ctx, id, d, a, pw))
	}
	var cmd tea.Cmd
	m.password, cmd = m.password.Update(msg)
	m.pwErr = ""
	return m, cmd
}

// backToServers returns to where the servers came from.
func (m Model) backToServers() (Model, tea.Cmd) {
	switch m.from {
	case fromDiscovery:
		m.step = stepDiscovered
		return m, nil
	case fromManual:
		m.step = stepManual
		return m, m.manual.setFocus(fieldIMAP)
	}
	m.step = stepAddress
	return m, m.addr.Focus()
}

// probeCmd tests account a with password. The dialer is a copy whose
// Secrets is a private in-memory store holding only this password, so the
// keyring is not touched before the user saves; the Cmd answers with
// ProbedMsg{ID: id}.
func probeCmd(ctx context.Context, id int, d account.Dialer, a account.Account, password string) tea.Cmd {
	return func() tea.Msg {
		mem := &account.MemorySecrets{}
		_ = mem.Set(ctx, account.SecretKey(a.Name, ""), password)
		d.Secrets = mem
		a.PasswordCmd = ""
		return ProbedMsg{ID: id, Report: d.Probe(ctx, a)}
	}
}

// probed shows the result of the connection test; a result for another
// request is dropped.
func (m Model) probed(msg ProbedMsg) (Model, tea.Cmd) {
	if msg.ID != m.seq || m.step != stepProbing {
		return m, nil
	}
	m.finishRequest()
	m.step, m.report = stepProbed, msg.Report
	return m, nil
}

// keyProbed: after success enter goes on and esc back to the password;
// after a failure enter retypes the password and esc goes back to the
// servers.
func (m Model) keyProbed(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	ok := m.report.OK()
	switch {
	case keyMatches(msg, m.keys.Next):
		if ok {
			return m.toSync()
		}
		return m.toPassword()
	case keyMatches(msg, m.keys.Back):
		if ok {
			m.step = stepPassword
			return m, m.password.Focus()
		}
		return m.backToServers()
	}
	return m, nil
}
