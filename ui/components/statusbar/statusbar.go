// Package statusbar is the bottom line: sync progress, offline state, the
// new-mail notice, errors in plain words, and a key hint.
package statusbar

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Model is the status bar. It reads mailsync events directly.
type Model struct {
	c        *common.Common
	progress map[string]string // account → "folder phase done/total"
	offline  map[string]bool
	notice   string // last new-mail or action notice
	err      string // last error, worded for people
	width    int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an idle status bar.
func New(c *common.Common) Model {
	return Model{c: c, progress: map[string]string{}, offline: map[string]bool{}}
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the width; the bar is one line.
func (m *Model) SetSize(w, _ int) { m.width = w }

// SetNotice shows a notice (and clears the error).
func (m *Model) SetNotice(s string) { m.notice, m.err = s, "" }

// SetError shows an error already worded for people.
func (m *Model) SetError(s string) { m.err = s }

// Error is the error shown, "" for none.
func (m Model) Error() string { return m.err }

// Notice is the notice shown.
func (m Model) Notice() string { return m.notice }

// Offline reports whether any account is offline.
func (m Model) Offline() bool { return len(m.offline) > 0 }

// Update takes mailsync events; a key press clears a shown error.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	p := m.c.P
	switch ev := msg.(type) {
	case mailsync.FolderProgress:
		m.progress = clone(m.progress)
		where := common.Clean(ev.Account)
		if ev.Folder != "" { // indexing is per account
			where += " " + common.Clean(ev.Folder)
		}
		m.progress[ev.Account] = p.T("tui.status.progress", where, p.T("sync.phase."+phaseKey(ev.Phase)), ev.Done, ev.Total)
	case mailsync.FolderSynced, mailsync.Indexed:
		// Indexing follows the downloads; its end ends the account's line.
		m.progress = clone(m.progress)
		delete(m.progress, ev.(mailsync.Event).AccountName())
	case mailsync.NewMail:
		m.notice = p.T("tui.status.new_mail", ev.Count, common.Clean(ev.Account), common.Clean(ev.Folder))
	case mailsync.Online:
		m.offline = cloneB(m.offline)
		if ev.Online {
			delete(m.offline, ev.Account)
		} else {
			m.offline[ev.Account] = true
			delete(m.progress, ev.Account)
		}
	case mailsync.SyncError:
		m.err = Word(m.c, ev)
	case mailsync.OpFinished:
		if ev.Err != nil {
			m.err = p.T("tui.status.op_refused", common.Clean(ev.Account), common.Clean(firstLine(ev.Err.Error())))
		}
	case tea.KeyPressMsg:
		m.err = ""
	}
	return m, nil
}

func phaseKey(ph mailsync.Phase) string {
	switch ph {
	case mailsync.PhaseFlags, mailsync.PhaseBodies, mailsync.PhaseIndex:
		return string(ph)
	}
	return "headers"
}

// Word says a sync error in plain words: what happened and what to do.
func Word(c *common.Common, ev mailsync.SyncError) string {
	p := c.P
	var ne net.Error
	why := p.T("tui.err.why_other", common.Clean(firstLine(ev.Err.Error())))
	switch {
	case errors.Is(ev.Err, context.DeadlineExceeded), errors.As(ev.Err, &ne):
		why = p.T("tui.err.why_network")
	}
	if ev.Folder != "" {
		return p.T("tui.err.sync_folder", common.Clean(ev.Account), common.Clean(ev.Folder), why)
	}
	return p.T("tui.err.sync_account", common.Clean(ev.Account), why)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneB(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// View draws the one-line bar, exactly width cells: the most important
// thing on the left (error, else offline, else progress, else notice), the
// help hint on the right.
func (m Model) View() string {
	st, p := m.c.Styles, m.c.P
	hint := " " + p.T("tui.status.hint", m.c.Keys.Help.Help().Key) + " "
	left, style := "", st.Status
	switch {
	case m.err != "":
		left, style = m.err, st.StatusError
	case len(m.offline) > 0:
		left, style = p.T("tui.status.offline", strings.Join(keys(m.offline), ", ")), st.StatusError
	case len(m.progress) > 0:
		var parts []string
		for _, k := range keysS(m.progress) {
			parts = append(parts, m.progress[k])
		}
		left = p.T("tui.status.syncing", strings.Join(parts, "; "))
	case m.notice != "":
		left, style = m.notice, st.StatusNote
	}
	hw := ansi.StringWidth(hint)
	if m.width < hw+10 {
		hint, hw = "", 0
	}
	return style.Render(common.Fit(" "+left, m.width-hw)) + st.StatusHint.Render(hint)
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, common.Clean(k))
	}
	sort.Strings(out)
	return out
}

func keysS(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ShortHelp lists nothing: the bar has no keys.
func (m Model) ShortHelp() []key.Binding { return nil }

// FullHelp lists nothing.
func (m Model) FullHelp() [][]key.Binding { return nil }
