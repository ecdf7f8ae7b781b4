package statusbar

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestEventsInPlainWords(t *testing.T) {
	m := New(common.New(i18n.New(i18n.ZH)))
	m.SetSize(80, 1)
	m, _ = m.Update(mailsync.FolderProgress{Account: "work", Folder: "INBOX", Phase: mailsync.PhaseHeaders, Done: 10, Total: 100})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "正在同步 work INBOX 邮件头 10/100") || ansi.StringWidth(v) != 80 {
		t.Errorf("progress: %q", v)
	}
	m, _ = m.Update(mailsync.SyncError{Account: "work", Err: errors.New("imap: \x1b[31mLOGIN failed")})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "账户 work 同步失败") || strings.Contains(m.Error(), "\x1b") {
		t.Errorf("error: %q", v)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m, _ = m.Update(mailsync.Online{Account: "work", Online: false})
	if !m.Offline() || !strings.Contains(ansi.Strip(m.View()), "离线") {
		t.Error("offline not shown")
	}
}

// Indexing comes after an account's downloads and has no folder: it is
// named as such and its end (Indexed) ends the account's progress line.
func TestIndexingShownThenCleared(t *testing.T) {
	m := New(common.New(i18n.New(i18n.EN)))
	m.SetSize(100, 1)
	m, _ = m.Update(mailsync.FolderProgress{Account: "work", Phase: mailsync.PhaseIndex, Done: 52, Total: 312})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "work indexing for search 52/312") {
		t.Errorf("indexing progress: %q", v)
	}
	m, _ = m.Update(mailsync.Indexed{Account: "work", Count: 312})
	if v := ansi.Strip(m.View()); strings.Contains(v, "work") {
		t.Errorf("progress kept after indexing ended: %q", v)
	}
}
