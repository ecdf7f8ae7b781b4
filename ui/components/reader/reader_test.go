package reader

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestWrapScrollAndAttachments(t *testing.T) {
	m := New(common.New(i18n.New(i18n.ZH)), time.UTC)
	m.SetSize(30, 8)
	m.Open(store.Message{ID: 1, Subject: "主题"})
	if m.State() != StateLoading {
		t.Fatal("not loading")
	}
	m.SetParsed(&message.Parsed{Subject: "主题", Text: strings.Repeat("邮箱搬家", 20),
		Links:       []string{"https://example.com/\x1b[2J"},
		Attachments: []message.Attachment{{Filename: "a.pdf", Size: 10}, {Filename: "b.txt", Size: 20}}})
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if ansi.StringWidth(l) != 30 {
			t.Fatalf("line %q is %d cells", l, ansi.StringWidth(l))
		}
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "> a.pdf") || strings.Contains(v, "\x1b") {
		t.Errorf("end of message:\n%s", v)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'A', Text: "A"})
	if a, _ := m.Attachment(); a.Filename != "b.txt" {
		t.Errorf("selected %q", a.Filename)
	}
}
