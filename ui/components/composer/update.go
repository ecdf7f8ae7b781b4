package composer

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/outbox"
)

// Update handles keys, paste, the autosave tick and the editor's result.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case autosaveMsg:
		if msg.gen != m.gen {
			return m, nil // an earlier composer's tick
		}
		cmd := autosaveCmd(m.gen, m.every)
		if m.dirty {
			return m, tea.Batch(cmd, m.saveCmd(false))
		}
		return m, cmd
	case DraftSavedMsg:
		if msg.Err == nil && msg.ID != 0 {
			m.draftID = msg.ID
		}
		return m, nil
	case editorDoneMsg:
		if msg.err != nil {
			m.problem = m.c.P.T("compose.editor_failed", msg.err)
			return m, nil
		}
		m.body.set(strings.TrimRight(msg.text, "\n"))
		m.dirty = true
		return m, nil
	case tea.PasteMsg:
		m.typeText(msg.Content)
		return m, nil
	case tea.KeyPressMsg:
		if m.mode == modeReview {
			return m.reviewKey(msg)
		}
		return m.editKey(msg)
	}
	return m, nil
}

func (m Model) reviewKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Send):
		req, err := m.request()
		if err != nil {
			m.mode = modeEdit
			return m, nil
		}
		m.dirty = false
		return m, func() tea.Msg { return SendMsg{req} }
	case key.Matches(k, m.keys.Back):
		m.mode = modeEdit
	}
	return m, nil
}

func (m Model) editKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	km := m.keys
	m.problem = ""
	switch {
	case key.Matches(k, km.Review):
		return m.openReview(), nil
	case key.Matches(k, km.Save):
		m.dirty = false
		return m, m.saveCmd(true)
	case key.Matches(k, km.Close):
		if len(m.sugg) > 0 || len(m.paths) > 0 {
			m.sugg, m.paths = nil, nil
			return m, nil
		}
		return m, m.closeCmd()
	case key.Matches(k, km.Signature):
		m.sig = (m.sig + 1) % sigChoices
		m.dirty = true
		return m, nil
	case key.Matches(k, km.Editor):
		return m, m.editorCmd()
	case key.Matches(k, km.RemoveFile) && m.focus == FieldAttach:
		if len(m.files) > 0 {
			m.files = m.files[:len(m.files)-1]
		} else if n := len(m.base.Attachments); n > 0 {
			m.base.Attachments = m.base.Attachments[:n-1]
		}
		m.dirty = true
		return m, nil
	}
	s := k.String()
	switch {
	case s == "tab" && m.focus == FieldAttach && len(m.inputs[FieldAttach]) > 0:
		m.completePath()
		return m, nil
	case s == "tab":
		m.setFocus((m.focus + 1) % fieldCount)
		return m, nil
	case s == "shift+tab":
		m.setFocus((m.focus + fieldCount - 1) % fieldCount)
		return m, nil
	}
	if m.focus == FieldBody {
		return m.bodyKey(k), nil
	}
	return m.headerKey(k), nil
}

func (m Model) bodyKey(k tea.KeyPressMsg) Model {
	switch s := k.String(); {
	case s == "enter":
		m.body.newline()
	case s == "backspace" || s == "ctrl+h":
		m.body.backspace()
	case s == "up" && m.body.atTop():
		m.setFocus(FieldAt)
		return m
	case m.body.move(s):
		return m
	case k.Text != "" && !k.Mod.Contains(tea.ModCtrl) && !k.Mod.Contains(tea.ModAlt):
		m.body.insert(k.Text)
	default:
		return m
	}
	m.dirty = true
	return m
}

func (m Model) headerKey(k tea.KeyPressMsg) Model {
	f := m.focus
	s := k.String()
	if f == FieldFrom {
		switch s {
		case "left", "h":
			m.from = (m.from + len(m.senders) - 1) % max(len(m.senders), 1)
			m.dirty = true
		case "right", "l", "space":
			m.from = (m.from + 1) % max(len(m.senders), 1)
			m.dirty = true
		case "down", "enter":
			m.setFocus(FieldTo)
		}
		return m
	}
	switch {
	case (s == "down" || s == "ctrl+n") && len(m.sugg) > 0:
		m.pick = (m.pick + 1) % len(m.sugg)
	case (s == "up" || s == "ctrl+p") && len(m.sugg) > 0:
		m.pick = (m.pick + len(m.sugg) - 1) % len(m.sugg)
	case s == "enter" && len(m.sugg) > 0:
		m.acceptSuggestion()
	case s == "enter" && f == FieldAttach:
		m.addFile()
	case s == "enter" || s == "down":
		m.setFocus(f + 1)
	case s == "up":
		m.setFocus(f - 1)
	case s == "backspace" || s == "ctrl+h":
		if v := m.inputs[f]; len(v) > 0 {
			m.inputs[f] = v[:len(v)-1]
			m.changed()
		}
	case s == "ctrl+u":
		m.inputs[f] = nil
		m.changed()
	case k.Text != "" && !k.Mod.Contains(tea.ModCtrl) && !k.Mod.Contains(tea.ModAlt):
		m.typeText(k.Text)
	}
	return m
}

// typeText adds typed or pasted text to the focused field.
func (m *Model) typeText(s string) {
	switch m.focus {
	case FieldBody:
		m.body.insert(s)
		m.dirty = true
	case FieldFrom:
	default:
		m.inputs[m.focus] = append(m.inputs[m.focus], []rune(oneLine(s))...)
		m.changed()
	}
}

// changed refreshes completions after an edit of a header field.
func (m *Model) changed() {
	m.dirty = true
	m.paths = nil
	m.sugg, m.pick = nil, 0
	if m.focus == FieldTo || m.focus == FieldCc || m.focus == FieldBcc {
		m.sugg = suggest(m.known, lastItem(string(m.inputs[m.focus])), 6)
	}
}

func (m *Model) setFocus(f Field) {
	if f < 0 || f >= fieldCount {
		return
	}
	m.focus, m.sugg, m.paths = f, nil, nil
}

func (m *Model) addFile() {
	path := strings.TrimSpace(string(m.inputs[FieldAttach]))
	if path == "" {
		return
	}
	f, err := m.stat(expandHome(path))
	if err != nil {
		m.problem = m.c.P.T("compose.attach_failed", path, err)
		return
	}
	m.files = append(m.files, f)
	m.inputs[FieldAttach], m.paths = nil, nil
	m.dirty = true
	if m.OverLimit() {
		m.problem = m.c.P.T("compose.over_limit")
	}
}

// openReview checks the form and shows the review screen, or says what
// is missing and focuses it.
func (m Model) openReview() Model {
	req, err := m.request()
	var fe *fieldError
	if errors.As(err, &fe) {
		m.problem = m.c.P.T("compose.bad_field", m.fieldLabel(fe.field), err)
		m.setFocus(fe.field)
		return m
	}
	if len(req.Message.Recipients()) == 0 {
		m.problem = m.c.P.T("compose.no_recipient")
		m.setFocus(FieldTo)
		return m
	}
	if req.Sender.Account.SMTP.IsZero() {
		m.problem = m.c.P.T("compose.no_smtp", req.Sender.Account.Name)
		m.setFocus(FieldFrom)
		return m
	}
	m.mode = modeReview
	return m
}

func (m Model) saveCmd(upload bool) tea.Cmd {
	m.base.Draft = true
	req, err := m.request()
	if err != nil {
		// Keep what can be kept: the raw inputs go in as text.
		req, _ = m.rawRequest()
	}
	return func() tea.Msg { return SaveDraftMsg{Request: req, Upload: upload} }
}

// rawRequest is request without address parsing, for saving a draft whose
// fields do not parse yet.
func (m Model) rawRequest() (Request, error) {
	cp := m
	for _, f := range []Field{FieldTo, FieldCc, FieldBcc, FieldAt} {
		if _, err := parseList(string(cp.inputs[f])); err != nil || f == FieldAt {
			cp.inputs[f] = nil
		}
	}
	return cp.request()
}

func (m Model) closeCmd() tea.Cmd {
	id := m.draftID
	closed := func() tea.Msg { return ClosedMsg{DraftID: id} }
	if !m.dirty && id == 0 {
		return closed
	}
	return tea.Sequence(m.saveCmd(true), closed)
}

// editorCmd writes the body to a temporary file and runs the editor on it
// (tea.ExecProcess releases the terminal meanwhile).
func (m Model) editorCmd() tea.Cmd {
	if len(m.editor) == 0 {
		return func() tea.Msg { return editorDoneMsg{err: errNoEditor} }
	}
	f, err := os.CreateTemp("", "magpie-*.txt")
	if err != nil {
		return func() tea.Msg { return editorDoneMsg{err: err} }
	}
	_, err = f.WriteString(m.body.text())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return func() tea.Msg { return editorDoneMsg{err: err} }
	}
	path := f.Name()
	args := append(append([]string{}, m.editor[1:]...), path)
	cmd := exec.Command(m.editor[0], args...)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer os.Remove(path)
		if err != nil {
			return editorDoneMsg{err: err}
		}
		b, err := os.ReadFile(path)
		return editorDoneMsg{text: string(b), err: err}
	})
}

var errNoEditor = errors.New("no editor: set editor in the config, or VISUAL/EDITOR")

func parseWhen(s string) (time.Time, error) { return outbox.ParseWhen(s, time.Now()) }

// oneLine drops control characters from text typed into a one-line field.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
