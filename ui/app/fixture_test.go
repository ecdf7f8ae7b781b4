package app

import (
	"context"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// now is the fixed clock of every test: dates in views do not move.
var now = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// fixture is a store with two accounts: "work" (Inbox with a sub-folder,
// Sent, Trash, 归档 as Archive) and "home" (Inbox only), holding
// bilingual mail, an attachment and a hostile message.
type fixture struct {
	st      *store.Store
	work    store.AccountID
	home    store.AccountID
	inbox   store.FolderID
	project store.FolderID
	trash   store.FolderID
	archive store.FolderID
	sent    store.FolderID
	hInbox  store.FolderID
	ids     map[string]store.MessageID // by a short name
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The hostile strings: terminal escapes (CSI, OSC title, OSC 52 clipboard),
// bidi overrides, zero-width characters and a 10k-character subject.
const (
	hostileName    = "\x1b]0;pwned\x07Evil\u202eliam\u202c \x1b[2JTom\u200b"
	hostileSubject = "\x1b[31mURGENT\x1b[0m \u202eexe.txt\u202c \x1b]52;c;cm0gLXJmIH4=\x07pay\u200b\u200dnow "
	hostileFile    = "../../.bashrc\x1b[8m\u202egpj.exe"
)

func newFixture(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "magpie.db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	f := fixture{st: st, ids: map[string]store.MessageID{}}
	f.work, err = st.Account(ctx, "work")
	must(t, err)
	f.home, err = st.Account(ctx, "home")
	must(t, err)
	folder := func(acct store.AccountID, name, raw string, role store.Role) store.FolderID {
		id, err := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: name, RawName: raw, Delim: "/", Role: role})
		must(t, err)
		return id
	}
	f.inbox = folder(f.work, "INBOX", "INBOX", "inbox")
	f.project = folder(f.work, "INBOX/项目", "INBOX/&mfl7rg-", "")
	f.sent = folder(f.work, "Sent", "Sent", "sent")
	f.trash = folder(f.work, "Trash", "Trash", "trash")
	f.archive = folder(f.work, "归档", "&X1pjIw-", "archive")
	f.hInbox = folder(f.home, "INBOX", "INBOX", "inbox")

	put := func(name string, fid store.FolderID, m store.Message, raw string) {
		t.Helper()
		m.MsgID = name + "@example.com"
		m.InternalDate = m.Date
		must(t, st.PutHeaders(ctx, fid, []store.Message{m}))
		id, err := st.Lookup(ctx, fid, m.UID)
		must(t, err)
		f.ids[name] = id
		if raw != "" {
			must(t, st.PutBody(ctx, id, store.Body{Raw: []byte(raw), Text: name}))
		}
	}
	me := []store.Address{{Name: "我", Addr: "me@example.cn"}}
	put("move", f.inbox, store.Message{UID: 1, From: store.Address{Name: "张三", Addr: "zhangsan@example.cn"}, To: me,
		Subject: "关于邮箱搬家的安排", Date: now.Add(-2 * time.Hour), HasAttachment: true},
		rawChinese())
	put("report", f.inbox, store.Message{UID: 2, From: store.Address{Name: "Alice Smith", Addr: "alice@example.com"}, To: me,
		Subject: "Quarterly report", Date: now.Add(-26 * time.Hour), Flags: store.FlagSeen | store.FlagFlagged},
		"From: Alice Smith <alice@example.com>\r\nTo: me@example.cn\r\nSubject: Quarterly report\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See <a href=\"https://example.com/q1\">the numbers</a> and <img src=\"https://tracker.example/p.gif\"></p>\r\n")
	put("hostile", f.inbox, store.Message{UID: 3, From: store.Address{Name: hostileName, Addr: "evil@example.net"}, To: me,
		Subject: hostileSubject + strings.Repeat("A", 10000), Date: now.Add(-40 * 24 * time.Hour), HasAttachment: true},
		rawHostile())
	put("nobody", f.inbox, store.Message{UID: 4, From: store.Address{Name: "李四", Addr: "lisi@example.cn"}, To: me,
		Subject: "周报（未下载正文）", Date: now.Add(-400 * 24 * time.Hour), Flags: store.FlagSeen}, "")
	put("sub", f.project, store.Message{UID: 1, From: store.Address{Addr: "bot@example.com"}, To: me,
		Subject: "项目进度", Date: now.Add(-3 * time.Hour)}, "")
	// Two read replies thread onto "sub": 项目 holds a thread of three.
	put("sub2", f.project, store.Message{UID: 2, From: store.Address{Name: "张三", Addr: "zhangsan@example.cn"}, To: me,
		Subject: "回复：项目进度", Date: now.Add(-150 * time.Minute), Flags: store.FlagSeen, InReplyTo: "sub@example.com"}, "")
	put("sub3", f.project, store.Message{UID: 3, From: store.Address{Name: "Alice Smith", Addr: "alice@example.com"}, To: me,
		Subject: "Re: 项目进度", Date: now.Add(-2 * time.Hour), Flags: store.FlagSeen, InReplyTo: "sub2@example.com",
		References: []string{"sub@example.com", "sub2@example.com"}}, "")
	put("sent", f.sent, store.Message{UID: 1, From: me[0], To: []store.Address{{Name: "王五", Addr: "wangwu@example.cn"}},
		Subject: "回复：合同", Date: now.Add(-5 * time.Hour), Flags: store.FlagSeen}, "")
	put("home", f.hInbox, store.Message{UID: 1, From: store.Address{Name: "Mum", Addr: "mum@example.org"}, To: me,
		Subject: "Hello from home", Date: now.Add(-1 * time.Hour)}, "From: Mum <mum@example.org>\r\nSubject: Hello from home\r\n\r\nCome for dinner on Sunday.\r\n")
	return f
}

func rawChinese() string {
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 fake report"))
	return "From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.cn>\r\n" +
		"To: me@example.cn\r\n" +
		"Subject: =?GB2312?B?udjT2tPKz+Sw4bzStcSwssXF?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"x+uwtNXVuL28/tbQtcSwssXFo6zU2tbczuXHsM3qs8nTys/ksOG80qGjDQrP6sfpvPsgaHR0cHM6Ly9leGFtcGxlLmNuL2d1aWRlDQo=\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?5oql5ZGKLnBkZg==?=\"\r\n" +
		"Content-Disposition: attachment; filename=\"=?UTF-8?B?5oql5ZGKLnBkZg==?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		pdf + "\r\n--b1--\r\n"
}

func rawHostile() string {
	return "From: Evil <evil@example.net>\r\n" +
		"Subject: " + hostileSubject + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n" +
		"--zz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Hello \x1b[2J\x1b[H\x1b]0;owned\x07 \u202egnp.exe\u202c zero\u200bwidth \u009b31m C1\r\n" +
		"--zz\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + hostileFile + "\"\r\n\r\n" +
		"MZ payload\r\n--zz--\r\n"
}

func config() *account.Config {
	return &account.Config{Accounts: []account.Account{{Name: "work", Email: "me@example.cn"}, {Name: "home", Email: "me@example.org"}}}
}

// newTestModel returns a model over the fixture in lang, sized w×h, with its
// Init run to completion (folders and the unified Inbox read).
func newTestModel(t testing.TB, f fixture, lang i18n.Lang, w, h int) *Model {
	t.Helper()
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(lang)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// send delivers msg and runs the Cmds it returns, synchronously, until
// there are none: the store reads happen, in order, before send returns.
func send(t testing.TB, m *Model, msg tea.Msg) {
	t.Helper()
	_, cmd := m.Update(msg)
	run(t, m, cmd)
}

func run(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(t, m, c)
		}
	case tea.QuitMsg:
	default:
		send(t, m, msg)
	}
}

func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		send(t, m, keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: k}
	}
	t := tea.KeyPressMsg{Text: k}
	t.Code = r[0]
	return t
}

// screen is the view as plain text (styles stripped: a fixed, colourless
// profile).
func screen(m *Model) string { return ansi.Strip(m.View().Content) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
