package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// cellIndex is where cell starts in line, in terminal cells.
func cellIndex(t *testing.T, line, cell string) int {
	t.Helper()
	i := strings.Index(line, cell)
	if i < 0 {
		t.Fatalf("%q not in %q", cell, line)
	}
	return lipgloss.Width(line[:i])
}

// offlineAccount adds an account that is never connected to.
func offlineAccount(t *testing.T, h *harness, name string) {
	t.Helper()
	if r := h.run("pw\n", "account", "add", name, "--email", name+"@corp.test", "--imap", "127.0.0.1:1", "--security", "tls", "--password-stdin"); r.code != ExitOK {
		t.Fatalf("account add: %d %s", r.code, r.stderr)
	}
}

// seedStore writes messages into the harness's store as a sync would.
func seedStore(t *testing.T, h *harness, acct string, msgs []store.Message) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(h.env["XDG_DATA_HOME"], "magpie", "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.Account(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	fid, err := st.UpsertFolder(ctx, store.Folder{Account: id, Name: "客户邮件/2024", RawName: "&WqJiN5CuTvY-/2024", Delim: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutHeaders(ctx, fid, msgs); err != nil {
		t.Fatal(err)
	}
	if err := st.SetFolderState(ctx, fid, store.FolderState{UIDValidity: 1, UIDNext: uint32(len(msgs) + 1), Total: len(msgs),
		LastSync: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

func TestSearchTruncatesByCells(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	offlineAccount(t, h, "work")
	offlineAccount(t, h, "home")
	date := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	seedStore(t, h, "work", []store.Message{
		{UID: 1, MsgID: "a@x", From: store.Address{Name: "王芳", Addr: "wang@corp.test"}, Date: date,
			Subject: "关于邮箱搬家的安排：请各部门在本周五之前完成数据备份并确认新服务器的登录方式\x1b[31m", Flags: store.FlagSeen},
		{UID: 2, MsgID: "b@x", From: store.Address{Addr: "li@corp.test"}, Date: date.Add(time.Hour), Subject: "搬家 short"},
	})
	h.env["COLUMNS"] = "70"
	r := h.run("", "search", "搬家")
	if r.code != ExitOK {
		t.Fatalf("search: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two rows:\n%s", r.stdout)
	}
	for _, l := range lines {
		if w := lipgloss.Width(l); w > 70 {
			t.Errorf("line is %d cells wide, terminal has 70: %q", w, l)
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("an escape from the subject reached the terminal: %q", r.stdout)
	}
	if !strings.Contains(lines[2], "…") || !strings.Contains(lines[2], "王芳") {
		t.Errorf("long subject not cut with an ellipsis: %q", lines[2])
	}
	// Newest first; the folder column lines up although the subjects are Chinese.
	if !strings.Contains(lines[1], "搬家 short") || cellIndex(t, lines[1], "客户邮件/2024") != cellIndex(t, lines[2], "客户邮件/2024") ||
		cellIndex(t, lines[0], "文件夹") != cellIndex(t, lines[1], "客户邮件/2024") {
		t.Errorf("rows misaligned or misordered:\n%s", r.stdout)
	}
	// Naming the other account finds nothing there.
	if r := h.run("", "search", "home", "搬家"); r.code != ExitOK || !strings.Contains(r.stdout, "没有找到") {
		t.Errorf("search home: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// "work" as the only word names the account: an empty query lists all of it.
	if r := h.run("", "search", "work", "--json"); r.code != ExitOK || strings.Count(r.stdout, `"message_id"`) != 2 {
		t.Errorf("search work --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = h.run("", "status", "work")
	if r.code != ExitOK || !strings.Contains(r.stdout, "客户邮件/2024") || !strings.Contains(r.stdout, "2026-11-21") {
		t.Errorf("status work: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rows := statusRows(t, h)
	if len(rows) != 2 || rows[0].Account != "work" || rows[0].Messages != 2 || rows[0].Unseen != 1 ||
		rows[0].LastSync == nil || *rows[0].LastSync != "2026-11-21T08:00:00Z" || rows[1].Account != "home" || rows[1].Folder != nil {
		t.Errorf("status --json = %+v", rows)
	}
}

func TestSearchAndStatusUsage(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	offlineAccount(t, h, "work")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"search"}, "--help"},
		{[]string{"search", "is:maybe"}, "at character 1: is: knows only unread"},
		{[]string{"search", "work", "invoice", "after:2026-13-01"}, "at character 9: after: wants a date"},
		{[]string{"search", "from:"}, "from: needs a value"},
		{[]string{"search", "x", "--limit", "0"}, "--limit"},
		{[]string{"status", "a", "b"}, "--help"},
		{[]string{"sync", "--bodies", "some"}, "--bodies"},
	} {
		r := h.run("", tc.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s", tc.args, r.code, tc.want, r.stderr)
		}
	}
	// Nothing synced: status says so, search fails, neither creates the store.
	if r := h.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, "work: never synced — run magpie sync") {
		t.Errorf("status: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := h.run("", "search", "x"); r.code != ExitFailure || !strings.Contains(r.stderr, "Run magpie sync first") {
		t.Errorf("search without a store: %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"status", "nope"}, {"sync", "nope"}} {
		if r := h.run("", args...); r.code != ExitFailure {
			t.Errorf("%v: exit %d, want 1", args, r.code)
		}
	}
	if r := h.run("", "status"); r.code != ExitOK || strings.Contains(r.stdout, "INBOX") {
		t.Errorf("status created something: %s", r.stdout)
	}
}

func TestSyncPrinterOnTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	s := &Session{Env: Env{Stdout: &out, Stderr: &errOut, StdoutIsTerminal: true, Getenv: func(k string) string {
		return map[string]string{"COLUMNS": "40"}[k]
	}}, P: i18n.New(i18n.EN)}
	pr := newSyncPrinter(s, nil, true)
	pr.event(mailsync.FolderProgress{Account: "work", Folder: "客户邮件/2024", Phase: mailsync.PhaseHeaders, Done: 500, Total: 12000})
	pr.event(mailsync.FolderProgress{Account: "home", Folder: "INBOX", Phase: mailsync.PhaseBodies, Done: 3, Total: 9})
	pr.event(mailsync.FolderSynced{Account: "home", Summary: mailsync.FolderSummary{Folder: "INBOX", New: 9, Bodies: 9, Total: 9, Unseen: 2}})
	pr.event(mailsync.FolderSynced{Account: "work", Summary: mailsync.FolderSummary{Folder: "Sent", Err: errors.New("mailsync: examine \"Sent\": boom")}})
	pr.clearProgress()
	got := out.String()
	if !strings.Contains(got, "\r\x1b[2Khome INBOX: 9 new, 0 updated, 0 expunged, 9 bodies (total 9, unread 2)\n") {
		t.Errorf("finished folder not printed over the progress line: %q", got)
	}
	for _, l := range strings.Split(got, "\r\x1b[2K") {
		if l = l[strings.LastIndex(l, "\n")+1:]; lipgloss.Width(l) >= 40 {
			t.Errorf("progress line wider than the terminal: %q", l)
		}
	}
	if !strings.Contains(got, "home INBOX bodies 3/9") || !strings.HasSuffix(got, "\r\x1b[2K") {
		t.Errorf("progress line: %q", got)
	}
	if !strings.Contains(errOut.String(), "work: folder Sent failed") || !strings.Contains(errOut.String(), "boom") || !pr.shown["work\x00Sent"] {
		t.Errorf("folder failure: %q", errOut.String())
	}
	if tl := pr.tally["home"]; tl.New != 9 || tl.folders != 1 {
		t.Errorf("tally = %+v", tl)
	}
}

// TestStatusShowsConflicts: an offline change the server refused for good
// is visible from the command line, in the user's language.
func TestStatusShowsConflicts(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	offlineAccount(t, h, "work")
	seedStore(t, h, "work", []store.Message{{UID: 1, MsgID: "a@x", Subject: "x", Date: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}})
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(h.env["XDG_DATA_HOME"], "magpie", "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := st.Account(ctx, "work")
	folders, _ := st.Folders(ctx, id)
	op, err := st.EnqueueOp(ctx, store.Op{Kind: store.OpFlagsAdd, Folder: folders[0].ID, UIDs: []store.UID{1}, Flags: store.FlagFlagged})
	if err == nil {
		err = st.FailOp(ctx, op.ID, "gone", true)
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := h.run("", "status")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Account work has 1 offline changes the server refused") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
