// Package confirm is a yes/no question, asked before anything that cannot
// be undone (permanent delete, overwriting a file).
package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// AnsweredMsg reports the answer for the purpose the question was asked for.
type AnsweredMsg struct {
	Purpose string
	Yes     bool
}

// Model is the question.
type Model struct {
	c        *common.Common
	purpose  string
	question string
	width    int
	height   int
}

var _ common.Component[Model] = (*Model)(nil)

// New asks question (already sanitised by the caller).
func New(c *common.Common, purpose, question string) Model {
	return Model{c: c, purpose: purpose, question: question}
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Purpose is what the question was asked for.
func (m Model) Purpose() string { return m.purpose }

// Update answers yes on y, no on n or Esc; other keys are ignored, so a
// stray key never confirms.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	p := m.purpose
	switch {
	case key.Matches(k, m.c.Keys.Confirm):
		return m, func() tea.Msg { return AnsweredMsg{Purpose: p, Yes: true} }
	case key.Matches(k, m.c.Keys.Cancel), k.String() == "ctrl+c":
		return m, func() tea.Msg { return AnsweredMsg{Purpose: p, Yes: false} }
	}
	return m, nil
}

// View draws the question and the answers.
func (m Model) View() string {
	st := m.c.Styles
	var lines []string
	for _, l := range m.questionLines() {
		lines = append(lines, st.DialogTitle.Render(" "+l))
	}
	lines = append(lines, "", st.HelpSep.Render(m.answers()))
	return common.Block(lines, m.width, m.height)
}

func (m Model) questionLines() []string {
	return splitLines(ansi.Wrap(m.question, max(m.width-2, 1), ""))
}

// answers is the answers line: "y yes    n no", the two set apart by a
// run of spaces.
func (m Model) answers() string { return " " + m.c.P.T("tui.confirm.answers") }

// Click answers when (x, y), relative to the question's top left, is on
// one of the answers: the first is yes, the second no.
func (m Model) Click(x, y int) tea.Cmd {
	if y != len(m.questionLines())+1 {
		return nil
	}
	line := m.answers()
	gap := strings.Index(line, "    ")
	if gap < 0 {
		return nil
	}
	yesEnd := ansi.StringWidth(line[:gap])
	noStart := yesEnd + 4 + ansi.StringWidth(line[gap+4:]) - ansi.StringWidth(strings.TrimLeft(line[gap+4:], " "))
	p := m.purpose
	switch {
	case x >= 1 && x < yesEnd:
		return func() tea.Msg { return AnsweredMsg{Purpose: p, Yes: true} }
	case x >= noStart && x < ansi.StringWidth(line):
		return func() tea.Msg { return AnsweredMsg{Purpose: p, Yes: false} }
	}
	return nil
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// ShortHelp lists the answers.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.c.Keys.Confirm, m.c.Keys.Cancel} }

// FullHelp lists the answers.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
