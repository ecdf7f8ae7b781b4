package migration

import (
	tea "charm.land/bubbletea/v2"
)

// QuitMsg asks the root to quit Magpie: the user confirmed while a run
// was under way (the run stops with the app; the journal keeps it
// resumable).
type QuitMsg struct{}

// AskQuit is what the root calls when the user quits while a run is
// under way: the wizard asks first, saying that the run stops cleanly and
// that starting it again continues where it stopped. It returns the
// model unchanged when nothing runs (the root may then quit at once).
func (m Model) AskQuit() Model {
	if m.Running() {
		m.askQuit = true
	}
	return m
}

// Asking reports whether the wizard is asking whether to quit.
func (m Model) Asking() bool { return m.askQuit }

// keyQuit answers the question: y (or enter) quits, anything else stays.
func (m Model) keyQuit(k tea.KeyPressMsg) (Model, tea.Cmd) {
	m.askQuit = false
	if k.String() == "y" || k.String() == "Y" || matches(k, m.keys.Next) {
		return m, emit(QuitMsg{})
	}
	return m, nil
}

// viewQuit is the question, shown above the run's progress.
func (m Model) viewQuit() []string {
	out := wrap("", m.p.T("mig.quit.question"), m.w)
	for i := range out {
		out[i] = stErr.Render(out[i])
	}
	return append(out, m.p.T("mig.quit.keys"), "")
}
