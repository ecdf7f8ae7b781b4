package app

import (
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/ui/styles"
	"github.com/magpie-mail/magpie/ui/wizard"
)

// startWizard shows the setup wizard when there is no account and the
// process gave what the wizard needs (a keyring and a dialer).
func (m *Model) startWizard() tea.Cmd {
	if m.d.Secrets == nil || m.d.Dialer == nil {
		return nil // the placeholder screen says what to run instead
	}
	m.wizard = wizard.New(wizard.Deps{
		Printer: m.d.Printer, Config: m.d.Config, Secrets: m.d.Secrets,
		Dialer: m.d.Dialer, Context: m.ctx,
	})
	m.wizard.SetSize(m.width, m.height)
	m.wizardOn = true
	return m.wizard.Init()
}

// updateWizard routes everything to the wizard while it shows; when it
// saved an account the mail panes take over and the account starts
// syncing, and when the user cancels Magpie quits.
func (m *Model) updateWizard(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		m.wizard.SetSize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		m.c.Styles = styles.New(msg.IsDark())
		return nil
	case wizard.CancelledMsg:
		return tea.Quit
	case wizard.DoneMsg:
		m.wizardOn = false
		if m.d.AddAccount != nil {
			if e := m.d.AddAccount(msg.Account); e != nil {
				if m.d.Engines == nil {
					m.d.Engines = map[string]*mailsync.Engine{}
				}
				m.d.Engines[msg.Account.Name] = e
			}
		}
		// The new account sends too: the background outbox reads the
		// shared config's accounts at every flush.
		return tea.Batch(m.reloadFolders(), waitEventCmd(m.ctx, m.d.Events), m.startOutbox())
	}
	var cmd tea.Cmd
	m.wizard, cmd = m.wizard.Update(msg)
	return cmd
}
