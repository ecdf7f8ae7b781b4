package wizard

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

// keyProvider moves in the provider list and picks one.
func (m Model) keyProvider(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case keyMatches(msg, m.keys.Down):
		m.cursor = min(m.cursor+1, len(m.providers))
	case keyMatches(msg, m.keys.Next):
		m.other = m.cursor == len(m.providers)
		m.acct = account.Account{Kind: account.KindMember}
		if !m.other {
			pr := m.providers[m.cursor]
			m.acct.Provider = pr.ID
			m.acct.IMAP, m.acct.SMTP, m.acct.POP3 = pr.IMAP, pr.SMTP, pr.POP3
		}
		m.step, m.addrErr = stepAddress, ""
		return m, m.addr.Focus()
	}
	return m, nil
}

// keyAddress edits the address; enter checks it and goes on to the
// password (preset) or to autodiscovery ("other").
func (m Model) keyAddress(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Back):
		m.addr.Blur()
		m.step = stepProvider
		return m, nil
	case keyMatches(msg, m.keys.Next):
		email := strings.TrimSpace(m.addr.Value())
		switch {
		case email == "":
			m.addrErr = m.p.T("wizard.address.empty")
			return m, nil
		case !account.ValidAddress(email):
			m.addrErr = m.p.T("wizard.address.invalid", message.SanitizeLine(email))
			return m, nil
		}
		m.addrErr = ""
		m.addr.Blur()
		m.acct.Email = email
		if !m.other {
			m.from = fromPreset
			return m.toPassword()
		}
		id, ctx, tick := m.startRequest()
		m.step = stepDiscovering
		return m, tea.Batch(tick, discoverCmd(ctx, id, m.deps.Discoverer, email))
	}
	var cmd tea.Cmd
	m.addr, cmd = m.addr.Update(msg)
	m.addrErr = ""
	return m, cmd
}

// discoverCmd runs autodiscovery for email. The discoverer and the address
// are copied now; the Cmd answers with DiscoveredMsg{ID: id}.
func discoverCmd(ctx context.Context, id int, d account.Discoverer, email string) tea.Cmd {
	return func() tea.Msg {
		disc, err := d.Discover(ctx, email)
		return DiscoveredMsg{ID: id, Discovery: disc, Err: err}
	}
}

// discovered shows what autodiscovery found, or what it tried. A result
// for another request is dropped.
func (m Model) discovered(msg DiscoveredMsg) (Model, tea.Cmd) {
	if msg.ID != m.seq || m.step != stepDiscovering {
		return m, nil
	}
	m.finishRequest()
	m.step, m.disc, m.discErr = stepDiscovered, msg.Discovery, msg.Err
	if msg.Err != nil {
		m.disc = account.Discovery{}
	}
	m.manual.fill(m.disc, m.acct.Email)
	return m, nil
}

// useDiscovery takes the discovered servers and goes on to the password.
func (m Model) useDiscovery() (Model, tea.Cmd) {
	d := m.disc
	m.acct.IMAP, m.acct.SMTP, m.acct.POP3, m.acct.Provider = d.IMAP, d.SMTP, d.POP3, d.Provider
	m.acct.Username = ""
	if d.Username != "" && !strings.EqualFold(d.Username, m.acct.Email) {
		m.acct.Username = d.Username
	}
	m.from = fromDiscovery
	return m.toPassword()
}

// keyDiscovered: enter takes the servers (or, after a failure, opens the
// manual form), e opens the form filled with them, esc goes back.
func (m Model) keyDiscovered(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Back):
		m.step = stepAddress
		return m, m.addr.Focus()
	case keyMatches(msg, m.keys.Next):
		if m.discErr == nil {
			return m.useDiscovery()
		}
		return m.toManual()
	case m.discErr == nil && keyMatches(msg, m.keys.Edit):
		return m.toManual()
	}
	return m, nil
}

// toPassword shows the app-password steps and an empty password field.
func (m Model) toPassword() (Model, tea.Cmd) {
	m.step, m.pwErr = stepPassword, ""
	m.password.Reset()
	return m, m.password.Focus()
}

// provider is the preset of the account being built, if any.
func (m Model) provider() (account.Provider, bool) {
	return account.LookupProvider(m.acct.Provider)
}
