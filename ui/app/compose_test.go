package app

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/i18n"
)

func composeModel(t *testing.T, lang i18n.Lang) (*Model, fixture) {
	t.Helper()
	f := newFixture(t)
	m := newTestModel(t, f, lang, 100, 30)
	m.autosave = -1 // Cmds run synchronously here: no ticking clock
	openWorkInbox(t, m, f)
	return m, f
}

func TestReplyAndForwardOpenTheComposer(t *testing.T) {
	m, _ := composeModel(t, i18n.EN)
	press(t, m, "r")
	if m.composing == nil {
		t.Fatal("r did not open the composer")
	}
	s := screen(m)
	for _, want := range []string{"Reply/forward", "me@example.cn", "张三 <zhangsan@example.cn>", "Re: 关于邮箱搬家的安排", "张三 <zhangsan@example.cn> wrote on"} {
		if !strings.Contains(s, want) {
			t.Errorf("reply composer lacks %q:\n%s", want, s)
		}
	}
	checkFrame(t, s, 100, 30)
	press(t, m, "esc") // untouched: closes at once
	if m.composing != nil {
		t.Fatal("esc did not close an untouched composer")
	}
	press(t, m, "f")
	if s := screen(m); !strings.Contains(s, "Fwd: 关于邮箱搬家的安排") || !strings.Contains(s, "Forwarded message") {
		t.Errorf("forward composer:\n%s", s)
	}
}

func TestComposeSavesADraft(t *testing.T) {
	m, f := composeModel(t, i18n.ZH)
	press(t, m, "w")
	if m.composing == nil || !strings.Contains(screen(m), "写邮件") {
		t.Fatalf("w did not open the composer:\n%s", screen(m))
	}
	for _, r := range "wang@example.cn" {
		press(t, m, string(r))
	}
	send(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	drafts, err := f.st.Drafts(context.Background(), 0)
	must(t, err)
	if len(drafts) != 1 || !strings.Contains(string(drafts[0].Raw), "wang@example.cn") || m.composing.DraftID() != drafts[0].ID {
		t.Fatalf("drafts %+v", drafts)
	}
}
