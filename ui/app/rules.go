package app

import (
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/reader"
	"github.com/magpie-mail/magpie/ui/rulescreen"
)

// openRules shows the rules screen (key I) for the account in view; from
// an open message it offers to block or always allow the sender.
func (m *Model) openRules() tea.Cmd {
	if len(m.d.Config.Accounts) == 0 {
		return nil
	}
	name, src := m.d.Config.Accounts[0].Name, rulescreen.Source{}
	if m.hasEntry && m.entry.Account != "" {
		name = m.entry.Account
	}
	if m.reader.State() != reader.StateEmpty {
		msg := m.reader.Message()
		for i, id := range m.accountIDs {
			if id == msg.Account && i < len(m.accounts) {
				name, src = m.accounts[i].Name, rulescreen.Source{Sender: msg.From.Addr, Subject: msg.Subject}
			}
		}
	}
	m.rulesScr = rulescreen.New(rulescreen.Deps{Printer: m.c.P, Config: m.d.Config, Store: m.d.Store,
		Dialer: m.d.Dialer, Context: m.ctx}, name, src)
	m.rulesScr.SetSize(m.width, m.height)
	m.rulesOn = true
	return m.rulesScr.Init()
}

// updateRules routes msg to the rules screen while it shows (its results
// also when they arrive after it closed: they are dropped there). handled
// is false when the mail panes should take msg instead.
func (m *Model) updateRules(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case rulescreen.ClosedMsg:
		m.rulesOn = false
		return nil, true
	case tea.WindowSizeMsg:
		m.rulesScr.SetSize(msg.Width, msg.Height)
		return nil, false // the panes resize too
	case tea.KeyPressMsg:
		if !m.rulesOn {
			return nil, false
		}
		if msg.String() == "ctrl+c" {
			return tea.Quit, true
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return nil, m.rulesOn
	default:
		if !rulescreen.IsOwnMsg(msg) {
			return nil, false // sync events and store results still reach the panes
		}
		if !m.rulesOn {
			return nil, true // a late answer for a closed screen
		}
	}
	var cmd tea.Cmd
	m.rulesScr, cmd = m.rulesScr.Update(msg)
	return cmd, true
}
