// Package dirpicker chooses a folder on the local disk: a path typed with
// Tab completion, over a list of the typed folder's sub-folders to browse
// with the arrows. It is where an attachment is saved.
package dirpicker

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// SubmittedMsg reports the folder chosen (as typed: "~" not expanded).
type SubmittedMsg struct {
	Purpose string
	Dir     string
}

// CancelledMsg reports that the picker was dismissed.
type CancelledMsg struct{ Purpose string }

// ListedMsg carries the sub-folders of Dir (names, sorted); Req drops
// answers for a folder no longer typed.
type ListedMsg struct {
	Req   uint64
	Dir   string
	Names []string
	Err   error
}

// up is the list's entry for the parent folder.
const up = ".."

// Model is the folder picker.
type Model struct {
	c       *common.Common
	purpose string
	title   string
	hint    string
	value   string // the path typed
	listed  string // the folder names holds the sub-folders of
	names   []string
	shown   []string // names that start with the typed base, ".." first
	cursor  int      // index into shown; -1: none (Enter submits)
	offset  int
	req     uint64
	width   int
	height  int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns a picker starting at dir (e.g. ~/Downloads). Run Init's Cmd
// to list it.
func New(c *common.Common, purpose, title, hint, dir string) Model {
	if dir != "" && !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	m := Model{c: c, purpose: purpose, title: title, hint: hint, value: dir, cursor: -1, req: 1}
	m.listed, _ = split(dir)
	m.filter()
	return m
}

// Init lists the starting folder.
func (m Model) Init() tea.Cmd {
	req, dir := m.req, m.listed
	return func() tea.Msg { return list(req, dir) }
}

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Purpose is what the picker was opened for.
func (m Model) Purpose() string { return m.purpose }

// Value is the path typed so far.
func (m Model) Value() string { return m.value }

// Shown is the list of sub-folders offered (".." first when there is a
// parent), filtered by the typed name.
func (m Model) Shown() []string { return m.shown }

// split cuts the typed path into the folder to list and the start of a
// name in it: "~/Do" → "~/", "Do".
func split(v string) (dir, base string) {
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return "", v
	}
	return v[:i+1], v[i+1:]
}

// Expand turns a leading ~ into the home directory and "" into ".".
func Expand(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if p == "" {
		return "."
	}
	return p
}

// relist asks for the sub-folders of the typed folder when they are not
// listed yet.
func (m *Model) relist() tea.Cmd {
	dir, _ := split(m.value)
	if dir == m.listed {
		m.filter()
		return nil
	}
	m.req++
	m.listed, m.names = dir, nil
	m.filter()
	req := m.req
	return func() tea.Msg { return list(req, dir) }
}

// list reads dir's sub-folders (symbolic links to folders included).
func list(req uint64, dir string) ListedMsg {
	out := ListedMsg{Req: req, Dir: dir}
	ents, err := os.ReadDir(Expand(dir))
	if err != nil {
		out.Err = err
		return out
	}
	for _, e := range ents {
		if e.IsDir() {
			out.Names = append(out.Names, e.Name())
		} else if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(Expand(dir), e.Name())); err == nil && fi.IsDir() {
				out.Names = append(out.Names, e.Name())
			}
		}
	}
	slices.Sort(out.Names)
	return out
}

// filter keeps the names that start with the typed base (hidden folders
// only when the base starts with a dot), with ".." first while nothing is
// typed and the folder has a parent.
func (m *Model) filter() {
	dir, base := split(m.value)
	m.shown = m.shown[:0]
	if base == "" && filepath.Clean(Expand(dir)) != "/" {
		m.shown = append(m.shown, up)
	}
	for _, n := range m.names {
		if strings.HasPrefix(n, base) && (strings.HasPrefix(base, ".") || !strings.HasPrefix(n, ".")) {
			m.shown = append(m.shown, n)
		}
	}
	m.cursor = min(m.cursor, len(m.shown)-1)
}

// enter goes into a folder of the list.
func (m *Model) enter(name string) tea.Cmd {
	dir, _ := split(m.value)
	if name == up {
		parent := filepath.Dir(filepath.Clean(Expand(dir)))
		if strings.HasPrefix(dir, "~") {
			if home, err := os.UserHomeDir(); err == nil {
				if rel, err := filepath.Rel(home, parent); err == nil && !strings.HasPrefix(rel, "..") {
					parent = filepath.Join("~", rel)
				}
			}
		}
		m.value = strings.TrimSuffix(parent, "/") + "/"
	} else {
		m.value = dir + name + "/"
	}
	m.cursor, m.offset = -1, 0
	return m.relist()
}

// complete extends the typed name as far as the folders it may name
// agree; a single match is entered.
func (m *Model) complete() tea.Cmd {
	var cands []string
	for _, n := range m.shown {
		if n != up {
			cands = append(cands, n)
		}
	}
	switch len(cands) {
	case 0:
		return nil
	case 1:
		return m.enter(cands[0])
	}
	dir, base := split(m.value)
	p := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, p) {
			_, n := lastRune(p)
			p = p[:len(p)-n]
		}
	}
	if len(p) > len(base) {
		m.value = dir + p
		m.filter()
		return nil
	}
	m.move(1) // nothing more in common: Tab walks the choices
	return nil
}

func lastRune(s string) (rune, int) {
	r := []rune(s)
	last := string(r[len(r)-1])
	return r[len(r)-1], len(last)
}

func (m *Model) move(d int) {
	if len(m.shown) == 0 {
		m.cursor = -1
		return
	}
	m.cursor = max(-1, min(m.cursor+d, len(m.shown)-1))
}

// Update types and edits the path (typing, paste, backspace, ctrl+u), Tab
// completes it, the arrows browse the list, Enter goes into the folder
// selected in the list or, with none selected, chooses the typed one; Esc
// cancels.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case ListedMsg:
		if msg.Req == m.req {
			m.names = msg.Names
			m.filter()
		}
	case tea.PasteMsg:
		m.value += oneLine(msg.Content)
		m.cursor = -1
		return m, m.relist()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter":
			if m.cursor >= 0 && m.cursor < len(m.shown) {
				return m, m.enter(m.shown[m.cursor])
			}
			v, p := m.value, m.purpose
			return m, func() tea.Msg { return SubmittedMsg{Purpose: p, Dir: v} }
		case "esc", "ctrl+c":
			p := m.purpose
			return m, func() tea.Msg { return CancelledMsg{Purpose: p} }
		case "tab":
			return m, m.complete()
		case "up", "ctrl+p":
			m.move(-1)
		case "down", "ctrl+n":
			m.move(1)
		case "backspace", "ctrl+h":
			if m.value != "" {
				_, n := lastRune(m.value)
				m.value = m.value[:len(m.value)-n]
			}
			m.cursor = -1
			return m, m.relist()
		case "ctrl+u":
			m.value, m.cursor = "", -1
			return m, m.relist()
		default:
			if msg.Text != "" && !msg.Mod.Contains(tea.ModCtrl) && !msg.Mod.Contains(tea.ModAlt) {
				m.value += oneLine(msg.Text)
				m.cursor = -1
				return m, m.relist()
			}
		}
	}
	return m, nil
}

// oneLine drops control characters from typed or pasted text.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// headLines are the lines above the folders: the title, the path and the
// hint.
const headLines = 3

// scrolled is the first folder on screen: the selection kept in view.
func (m Model) scrolled() int {
	return common.InView(m.cursor, m.offset, m.height-headLines)
}

// Click selects the folder on line y of the picker (0: its title); a
// click on the folder already selected goes into it, as Enter does.
func (m *Model) Click(y int) tea.Cmd {
	i := m.scrolled() + y - headLines
	if y < headLines || i >= len(m.shown) {
		return nil
	}
	m.offset = m.scrolled()
	if i == m.cursor {
		return m.enter(m.shown[i])
	}
	m.cursor = i
	return nil
}

// View draws the title, the path with a block cursor, the hint and the
// sub-folders, exactly width × height cells. Folder names are sanitised:
// a hostile name on disk is text, not a terminal command.
func (m Model) View() string {
	st := m.c.Styles
	w := max(m.width-4, 1)
	v := common.Clean(m.value) + "_"
	if vw := ansi.StringWidth(v); vw > w {
		v = ansi.TruncateLeft(v, vw-w, "")
	}
	lines := []string{
		st.DialogTitle.Render(common.Fit(" "+m.title, m.width)),
		common.Fit(" > "+v, m.width),
		st.HelpSep.Render(common.Fit(" "+m.hint, m.width)),
	}
	rows := max(m.height-len(lines), 1)
	m.offset = m.scrolled()
	for i := m.offset; i < len(m.shown) && i < m.offset+rows; i++ {
		cur, style := "   ", st.Folder
		if i == m.cursor {
			cur, style = " > ", st.FolderSelected
		}
		lines = append(lines, style.Render(common.Fit(cur+common.Clean(m.shown[i])+"/", m.width)))
	}
	return common.Block(lines, m.width, m.height)
}

// ShortHelp lists the picker's keys.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.c.Keys.Open, m.c.Keys.Cancel} }

// FullHelp lists the picker's keys.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
