package app

import (
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/migration"
)

// openMigration shows the migration wizard (key M, or Deps.StartMigration),
// starting it when none is under way; a hidden run is shown again as it is.
func (m *Model) openMigration() tea.Cmd {
	if !m.migStarted {
		m.mig = migration.New(migration.Deps{Printer: m.d.Printer, Config: m.d.Config, Dialer: m.d.Dialer,
			DataDir: m.d.DataDir, Context: m.ctx, Now: m.now})
		m.migStarted = true
	}
	m.mig.SetSize(m.width, m.height)
	m.migOn = true
	return m.mig.Init()
}

// updateMigration routes msg to the wizard: its results always (the run
// goes on while the mail shows), everything else while it shows. handled
// is false when the mail panes should take msg instead.
func (m *Model) updateMigration(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case migration.HideMsg:
		m.migOn = false
		return nil, true
	case migration.QuitMsg:
		return tea.Quit, true
	case migration.ClosedMsg:
		m.migOn, m.migStarted = false, false
		m.mig = migration.Model{}
		return nil, true
	case tea.WindowSizeMsg:
		if m.migStarted {
			m.mig.SetSize(msg.Width, msg.Height)
		}
		return nil, false // the panes resize too
	case tea.KeyPressMsg:
		if !m.migOn {
			return nil, false
		}
		if msg.String() == "ctrl+c" {
			return m.quit(), true
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return nil, m.migOn // the panes are hidden: not theirs
	default:
		if !migration.IsOwnMsg(msg) && !m.migOn {
			return nil, false
		}
		if !migration.IsOwnMsg(msg) {
			if _, paste := msg.(tea.PasteMsg); !paste {
				return nil, false // sync events and store results still reach the panes
			}
		}
	}
	var cmd tea.Cmd
	m.mig, cmd = m.mig.Update(msg)
	return cmd, true
}

// quit quits Magpie, unless a migration runs: then the wizard shows and
// asks first (a second ctrl+c while it asks quits).
func (m *Model) quit() tea.Cmd {
	if !m.migStarted || !m.mig.Running() || m.mig.Asking() {
		return tea.Quit
	}
	m.mig = m.mig.AskQuit()
	m.mig.SetSize(m.width, m.height)
	m.migOn = true
	return nil
}
