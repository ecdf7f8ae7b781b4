package app

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
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

func TestReopenADraftAndQuitKeepsIt(t *testing.T) {
	m, f := composeModel(t, i18n.EN)
	ctx := context.Background()
	drafts, err := f.st.UpsertFolder(ctx, store.Folder{Account: f.work, Name: "Drafts", RawName: "Drafts", Delim: "/", Role: "drafts"})
	must(t, err)
	o := &message.Outgoing{From: message.Address{Addr: "me@example.cn"}, To: []message.Address{{Addr: "wang@example.cn"}},
		Subject: "写了一半", Text: "第一段", Draft: true}
	raw, err := o.Build()
	must(t, err)
	must(t, f.st.PutHeaders(ctx, drafts, []store.Message{{UID: 5, MsgID: o.MessageID, Subject: o.Subject, Date: now,
		From: store.Address{Addr: "me@example.cn"}, Flags: store.FlagDraft | store.FlagSeen}}))
	id, err := f.st.Lookup(ctx, drafts, 5)
	must(t, err)
	must(t, f.st.PutBody(ctx, id, store.Body{Raw: raw}))
	fo, err := f.st.Folder(ctx, drafts)
	must(t, err)
	send(t, m, sidebar.SelectedMsg{Entry: sidebar.Entry{Kind: sidebar.KindFolder, Account: "work", Folder: fo}})
	press(t, m, "e")
	if m.composing == nil {
		t.Fatalf("e did not reopen the draft:\n%s", screen(m))
	}
	s := screen(m)
	if !strings.Contains(s, "写了一半") || !strings.Contains(s, "第一段") || !strings.Contains(s, "wang@example.cn") {
		t.Fatalf("reopened draft:\n%s", s)
	}
	for _, r := range "再补一句" {
		press(t, m, string(r))
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c did not quit")
	}
	local, err := f.st.Drafts(ctx, f.work)
	must(t, err)
	if len(local) != 1 || !strings.Contains(string(mustParse(t, local[0].Raw).Text), "再补一句") {
		t.Fatalf("local drafts %+v", local)
	}
	// The server copy it came from is replaced: an expunge of UID 5, then
	// the new version's append.
	ops, err := f.st.PendingOps(ctx, f.work)
	must(t, err)
	if len(ops) != 2 || ops[0].Kind != store.OpExpunge || ops[0].UIDs[0] != 5 || ops[1].Kind != store.OpAppend {
		t.Fatalf("ops %+v", ops)
	}
}

func mustParse(t *testing.T, raw []byte) *message.Parsed {
	t.Helper()
	p, err := message.Parse(raw)
	must(t, err)
	return p
}
