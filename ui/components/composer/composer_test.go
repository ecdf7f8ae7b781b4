package composer

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func senders() []account.Sender {
	smtp := account.Endpoint{Host: "smtp.example.com", Port: 465, Security: account.SecurityTLS}
	work := account.Account{Name: "work", Email: "chen@example.com", DisplayName: "陈明", Provider: "exmail", SMTP: smtp,
		SignatureNew: "陈明\n示例公司", SignatureReply: "陈明",
		Aliases: []account.Identity{{Address: "sales@example.com", Name: "销售部", Kind: account.IdentityAlias, SignatureNew: "销售部 · 示例公司"}}}
	biz := account.Account{Name: "service", Email: "service@example.com", DisplayName: "客服", Kind: account.KindBusiness, SMTP: smtp}
	cfg := account.Config{Accounts: []account.Account{work, biz}}
	return cfg.Senders()
}

func known() []store.KnownAddress {
	return []store.KnownAddress{
		{Address: store.Address{Name: "王芳", Addr: "wang@client.com"}, Count: 9},
		{Address: store.Address{Name: "王强", Addr: "qiang@client.com"}, Count: 4},
		{Address: store.Address{Addr: "li@client.com"}, Count: 2},
	}
}

func fakeFS() Options {
	files := map[string]int64{"/data/报告.pdf": 1 << 20, "/data/报价单.xlsx": 60 << 20, "/data/readme.txt": 10}
	return Options{
		Editor: "",
		Stat: func(p string) (File, error) {
			if n, ok := files[p]; ok {
				return File{Path: p, Name: filepath.Base(p), Size: n}, nil
			}
			return File{}, os.ErrNotExist
		},
		Glob: func(pattern string) ([]string, error) {
			var out []string
			for p := range files {
				if ok, _ := filepath.Match(pattern, p); ok {
					out = append(out, p)
				}
			}
			return out, nil
		},
		Gen: 7,
	}
}

func newTest(lang i18n.Lang, s Start) Model {
	c := common.New(i18n.New(lang))
	if s.Senders == nil {
		s.Senders = senders()
	}
	m := New(c, s, fakeFS())
	m.SetKnown(known())
	m.SetSize(80, 24)
	return m
}

func keys(t *testing.T, m Model, ks ...tea.KeyPressMsg) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range ks {
		m, cmd = m.Update(k)
	}
	return m, cmd
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

var (
	tab      = tea.KeyPressMsg{Code: tea.KeyTab}
	shiftTab = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	enter    = tea.KeyPressMsg{Code: tea.KeyEnter}
	esc      = tea.KeyPressMsg{Code: tea.KeyEscape}
	down     = tea.KeyPressMsg{Code: tea.KeyDown}
	right    = tea.KeyPressMsg{Code: tea.KeyRight}
	ctrlX    = tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}
	ctrlG    = tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl}
	ctrlD    = tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
)

func TestComposeCompleteSwitchReviewSend(t *testing.T) {
	m := newTest(i18n.EN, Start{})
	if m.Focus() != FieldTo {
		t.Fatalf("focus %v", m.Focus())
	}
	m = typeText(m, "王")
	if len(m.sugg) != 2 || m.sugg[0].Addr != "wang@client.com" {
		t.Fatalf("suggestions %+v (most used first)", m.sugg)
	}
	m, _ = keys(t, m, down, enter) // the second: 王强
	if got := string(m.inputs[FieldTo]); got != "王强 <qiang@client.com>, " {
		t.Fatalf("To %q", got)
	}
	m = typeText(m, "li@")
	m, _ = keys(t, m, enter, tab, tab) // accept li@, skip Cc, to Bcc
	m = typeText(m, "boss@example.com")
	m, _ = keys(t, m, tab)
	m = typeText(m, "季度报告")
	m, _ = keys(t, m, shiftTab, shiftTab, shiftTab, shiftTab, right) // From: the alias
	if m.Sender().Identity.Address != "sales@example.com" {
		t.Fatalf("from %v", m.Sender().Identity)
	}
	m, _ = keys(t, m, shiftTab) // wraps around to the body
	if m.Focus() != FieldBody {
		t.Fatalf("focus %v", m.Focus())
	}
	m = typeText(m, "你好")
	m, _ = keys(t, m, enter)
	m = typeText(m, "附件见后。")
	m, _ = keys(t, m, ctrlX)
	if !m.Reviewing() {
		t.Fatalf("no review: %q", m.problem)
	}
	_, cmd := keys(t, m, enter)
	send, ok := cmd().(SendMsg)
	if !ok {
		t.Fatalf("got %T", cmd())
	}
	o := send.Message
	if o.From.Addr != "sales@example.com" || o.From.Name != "销售部" || formatList(o.To) != "王强 <qiang@client.com>, li@client.com" ||
		formatList(o.Bcc) != "boss@example.com" || o.Subject != "季度报告" || o.Text != "你好\n附件见后。" || o.Signature != "销售部 · 示例公司" {
		t.Fatalf("request %+v", send.Request)
	}
	if send.Sender.Account.Name != "work" || !send.At.IsZero() {
		t.Fatalf("sender %+v at %v", send.Sender, send.At)
	}
}

func TestReviewNeedsARecipientAndReadableFields(t *testing.T) {
	m := newTest(i18n.ZH, Start{})
	m, _ = keys(t, m, ctrlX)
	if m.Reviewing() || m.Focus() != FieldTo || !strings.Contains(m.problem, "收件人") {
		t.Fatalf("review without recipient: %v %q", m.Reviewing(), m.problem)
	}
	m = typeText(m, "a@x.test")
	m, _ = keys(t, m, tab, tab, tab, tab, tab) // to Send at
	m = typeText(m, "someday")
	m, _ = keys(t, m, ctrlX)
	if m.Reviewing() || m.Focus() != FieldAt {
		t.Fatalf("bad time accepted: %q", m.problem)
	}
	m, _ = keys(t, m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	m = typeText(m, "+2h")
	m, _ = keys(t, m, ctrlX)
	if !m.Reviewing() {
		t.Fatalf("review: %q", m.problem)
	}
	m, _ = keys(t, m, esc)
	if m.Reviewing() {
		t.Fatal("esc did not go back")
	}
}

func TestSignatureSwitchForReplies(t *testing.T) {
	m := newTest(i18n.EN, Start{Reply: true, Message: message.Outgoing{To: []message.Address{{Addr: "wang@client.com"}}, Quote: "> hi"}})
	if m.Focus() != FieldBody || m.Signature() != "陈明" {
		t.Fatalf("reply: focus %v signature %q", m.Focus(), m.Signature())
	}
	m, _ = keys(t, m, ctrlG)
	if m.Signature() != "陈明\n示例公司" {
		t.Fatalf("other signature %q", m.Signature())
	}
	m, _ = keys(t, m, ctrlG)
	if m.Signature() != "" {
		t.Fatalf("no signature %q", m.Signature())
	}
	m, _ = keys(t, m, ctrlG)
	if m.Signature() != "陈明" {
		t.Fatalf("back to default %q", m.Signature())
	}
}

func TestAttachWithCompletionSizeAndLimit(t *testing.T) {
	m := newTest(i18n.EN, Start{})
	m, _ = keys(t, m, tab, tab, tab, tab) // to Attach
	m = typeText(m, "/data/报")
	m, _ = keys(t, m, tab)
	if got := string(m.inputs[FieldAttach]); got != "/data/报" || len(m.paths) != 2 {
		t.Fatalf("ambiguous completion: %q %v", got, m.paths)
	}
	m = typeText(m, "告")
	m, _ = keys(t, m, tab)
	if got := string(m.inputs[FieldAttach]); got != "/data/报告.pdf" {
		t.Fatalf("completion %q", got)
	}
	m, _ = keys(t, m, enter)
	if len(m.files) != 1 || m.files[0].Size != 1<<20 || m.OverLimit() {
		t.Fatalf("files %+v", m.files)
	}
	m = typeText(m, "/data/报价单.xlsx")
	m, _ = keys(t, m, enter)
	if !m.OverLimit() || !strings.Contains(m.problem, "50 MB") {
		t.Fatalf("over limit not warned: %q", m.problem)
	}
	m = typeText(m, "/data/missing")
	m, _ = keys(t, m, enter)
	if len(m.files) != 2 || m.problem == "" {
		t.Fatalf("missing file: %+v %q", m.files, m.problem)
	}
	m, _ = keys(t, m, ctrlD)
	if len(m.files) != 1 || m.OverLimit() {
		t.Fatalf("remove: %+v", m.files)
	}
}

func TestAutosaveAndClose(t *testing.T) {
	m := newTest(i18n.EN, Start{})
	if m.Init() == nil {
		t.Fatal("no autosave tick")
	}
	if _, cmd := m.Update(autosaveMsg{gen: 7}); cmd == nil {
		t.Fatal("tick not re-armed")
	}
	m = typeText(m, "a@x.test")
	if _, cmd := m.Update(autosaveMsg{gen: 6}); cmd != nil {
		t.Fatal("a stale tick acted")
	}
	_, cmd := m.Update(autosaveMsg{gen: 7})
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("autosave %T", cmd())
	}
	save, ok := batch[1]().(SaveDraftMsg)
	if !ok || save.Upload || formatList(save.Message.To) != "a@x.test" || !save.Message.Draft {
		t.Fatalf("save %+v", save)
	}
	m, _ = m.Update(DraftSavedMsg{ID: 42})
	if m.DraftID() != 42 {
		t.Fatal("draft ID not kept")
	}
	// A half-typed address does not stop the draft from being saved.
	m = typeText(m, ", <broken")
	_, cmd = keys(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if save := cmd().(SaveDraftMsg); !save.Upload || save.DraftID != 42 {
		t.Fatalf("ctrl+s %+v", save)
	}
	clean := newTest(i18n.EN, Start{})
	if _, cmd := keys(t, clean, esc); cmd == nil {
		t.Fatal("esc does nothing")
	} else if _, ok := cmd().(ClosedMsg); !ok {
		t.Fatalf("closing an untouched composer: %T", cmd())
	}
}

func TestEditorWithoutExternalEditor(t *testing.T) {
	m := newTest(i18n.EN, Start{})
	_, cmd := keys(t, m, tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	msg := cmd()
	m, _ = m.Update(msg)
	if !strings.Contains(m.problem, "editor") {
		t.Fatalf("problem %q", m.problem)
	}
	m, _ = m.Update(editorDoneMsg{text: "外部写的\n第二行\n"})
	if m.body.text() != "外部写的\n第二行" {
		t.Fatalf("body %q", m.body.text())
	}
}

func TestBuiltInEditor(t *testing.T) {
	e := newEditor("第一行")
	e.move("end")
	e.insert("！\n第二")
	e.move("up")
	e.move("end")
	e.backspace()
	e.move("down")
	e.move("home")
	e.backspace() // joins the lines
	if got := e.text(); got != "第一行第二" {
		t.Fatalf("text %q", got)
	}
	// Soft wrap: the 10-cell line takes two rows of 6 cells, the cursor
	// (after 第一行) at the start of the second.
	lines := e.view(6, 2, true, func(s string) string { return "[" + s + "]" })
	if len(lines) != 2 || ansi.StringWidth(lines[0]) != 6 || strings.TrimSpace(lines[0]) != "第一行" || strings.TrimSpace(lines[1]) != "[第]二" {
		t.Fatalf("view %q", lines)
	}
}

func TestSoftWrapKeepsWordsAndMovesByRows(t *testing.T) {
	e := newEditor("hello brave new world 你好世界")
	plain := func(s string) string { return s }
	lines := e.view(12, 5, false, plain)
	want := []string{"hello brave ", "new world   ", "你好世界    "}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("wrapped %q", lines)
	}
	e.move("down") // to "new world" at cell 0
	if e.row != 0 || e.col != 12 {
		t.Fatalf("down: row %d col %d", e.row, e.col)
	}
	e.move("down")
	if e.col != 22 || e.atTop() {
		t.Fatalf("down twice: col %d", e.col)
	}
	e.move("up")
	e.move("up")
	if e.col != 0 || !e.atTop() {
		t.Fatalf("up twice: col %d", e.col)
	}
	// The text is never changed by wrapping.
	if e.text() != "hello brave new world 你好世界" {
		t.Fatal(e.text())
	}
	// A cursor after a full row gets a row of its own.
	f := newEditor("你好世界")
	f.move("end")
	if v := f.view(8, 3, true, func(s string) string { return "[" + s + "]" }); len(v) != 2 || !strings.HasPrefix(v[1], "[ ]") {
		t.Fatalf("cursor after a full row: %q", v)
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ZH} {
		for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
			m := newTest(lang, Start{Reply: true, Message: message.Outgoing{
				To: []message.Address{{Name: "王芳", Addr: "wang@client.com"}}, Subject: "Re: 报价单",
				Text: "王芳你好：\n\n报价已更新，请查收。", Quote: "王芳 wrote:\n> 请发报价单\n> 谢谢"}})
			m.SetSize(sz.w, sz.h)
			m.files = []File{{Path: "/data/报价单.xlsx", Name: "报价单.xlsx", Size: 123456}}
			name := string(lang) + "_" + strconv.Itoa(sz.w) + "x" + strconv.Itoa(sz.h)
			check(t, name+"_form", m.View(), sz.w, sz.h)
			m, _ = keys(t, m, ctrlX)
			check(t, name+"_review", m.View(), sz.w, sz.h)
		}
	}
}

func check(t *testing.T, name, view string, w, h int) {
	t.Helper()
	plain := ansi.Strip(view)
	lines := strings.Split(plain, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != w {
			t.Errorf("%s: line %d is %d cells, want %d: %q", name, i+1, ansi.StringWidth(l), w, l)
		}
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(plain), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != plain {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, plain, want)
	}
}
