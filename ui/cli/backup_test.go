package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestBackupCommand(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	for i := range 3 {
		d.Deliver(t, u.Email, sampleMail(u.Email, fmt.Sprintf("backup %d", i)))
	}
	d.WaitMessages(t, u.Email, "INBOX", 3)
	h := newHarness(t, "zh_CN.UTF-8")
	addAccount(t, h, "work", u, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	for _, args := range [][]string{{"backup", "work"}, {"backup", "work", "--to", "x", "--format", "pst"}, {"backup"}} {
		if r := h.run("", args...); r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	dir := filepath.Join(t.TempDir(), "备份")
	r := h.run("", "backup", "work", "--to", dir)
	if r.code != ExitOK || !strings.Contains(r.stderr, "备份完成并已核对") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	files, _ := os.ReadDir(filepath.Join(dir, "INBOX", "cur"))
	if len(files) != 3 {
		t.Fatalf("%d files in INBOX/cur", len(files))
	}
	r = h.run("", "backup", "work", "--to", dir)
	if r.code != ExitOK || !strings.Contains(r.stdout, "本次搬 0") {
		t.Fatalf("re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mbox := filepath.Join(t.TempDir(), "mbox")
	if r = h.run("", "backup", "work", "--to", mbox, "--format", "mbox"); r.code != ExitOK {
		t.Fatalf("mbox: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(mbox, "INBOX.mbox"))
	if err != nil || strings.Count(string(data), "\nFrom magpie-") != 2 || !strings.HasPrefix(string(data), "From magpie-") {
		t.Errorf("INBOX.mbox: %v\n%.300s", err, data)
	}
}
