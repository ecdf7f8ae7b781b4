package message

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func filenameCases() []struct{ in, want string } {
	return []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"合同草案（第二版）.docx", "合同草案（第二版）.docx"},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system32\evil.dll`, "evil.dll"},
		{`C:\Windows\evil.bat`, "evil.bat"},
		{"C:evil.bat", "C_evil.bat"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"re\u200Bport\u200E.pdf", "report.pdf"},
		{"\x1b]0;x\x07name.txt", "name.txt"},
		{"CON.txt", "_CON.txt"},
		{"con", "_con"},
		{"LPT1.log", "_LPT1.log"},
		{"COM10.txt", "COM10.txt"},
		{"..", "attachment"},
		{"...", "attachment"},
		{"", "attachment"},
		{"   ", "attachment"},
		{".bashrc", "bashrc"},
		{"-rf", "rf"},
		{"a..b", "a.b"},
		{"name. . ", "name"},
		{`what?<>|*".txt`, "what______.txt"},
		{"tab\tand\nnewline", "tab and newline"},
		{"全角\u3000空格.txt", "全角 空格.txt"},
		{"bad\xffutf8.txt", "bad_utf8.txt"},
		{"e\u0301.txt", "\u00e9.txt"},
	}
}

func TestSafeFilename(t *testing.T) {
	for _, c := range filenameCases() {
		got := SafeFilename(c.in)
		if got != c.want {
			t.Errorf("SafeFilename(%q) = %q, want %q", c.in, got, c.want)
		}
		checkSafeFilename(t, c.in, got)
	}
}

func TestSafeFilenameLength(t *testing.T) {
	long := strings.Repeat("合", 300) + ".pdf"
	got := SafeFilename(long)
	if len(got) > MaxFilenameBytes || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Fatalf("SafeFilename(long) = %q (%d bytes)", got, len(got))
	}
	noExt := strings.Repeat("x", 1000)
	if got := SafeFilename(noExt); len(got) != MaxFilenameBytes {
		t.Fatalf("SafeFilename(1000 x) has %d bytes", len(got))
	}
	hugeExt := "a." + strings.Repeat("合", 100)
	if got := SafeFilename(hugeExt); len(got) > MaxFilenameBytes || !utf8.ValidString(got) {
		t.Fatalf("SafeFilename(huge ext) = %q", got)
	}
}

func checkSafeFilename(t *testing.T, in, got string) {
	t.Helper()
	if got == "" || !utf8.ValidString(got) || len(got) > MaxFilenameBytes {
		t.Fatalf("SafeFilename(%q) = %q: empty, invalid or too long", in, got)
	}
	if strings.ContainsAny(got, `/\`) || strings.Contains(got, "..") || got == "." {
		t.Fatalf("SafeFilename(%q) = %q contains a separator or ..", in, got)
	}
	if strings.HasPrefix(got, ".") || strings.HasPrefix(got, "-") {
		t.Fatalf("SafeFilename(%q) = %q has a leading dot or dash", in, got)
	}
	checkSafeText(t, got, false)
	for _, r := range got {
		if isBidiMark(r) || r == 0x200c || r == 0x200d {
			t.Fatalf("SafeFilename(%q) = %q keeps invisible %U", in, got, r)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	p, err := SafeJoin(dir, "../../etc/passwd")
	if err != nil || p != filepath.Join(dir, "passwd") {
		t.Fatalf("SafeJoin(../../etc/passwd) = %q, %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exists.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := SafeJoin(dir, "exists.txt"); err != nil || p != filepath.Join(dir, "exists.txt") {
		t.Fatalf("SafeJoin(existing file) = %q, %v", p, err)
	}
	if err := os.Symlink(filepath.Join(outside, "target"), filepath.Join(dir, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := SafeJoin(dir, "escape.txt"); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("SafeJoin(dangling link outside) err = %v, want ErrUnsafePath", err)
	}
	if err := os.WriteFile(filepath.Join(outside, "target"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SafeJoin(dir, "escape.txt"); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("SafeJoin(link outside) err = %v, want ErrUnsafePath", err)
	}
	if err := os.Symlink(filepath.Join(dir, "exists.txt"), filepath.Join(dir, "inside.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := SafeJoin(dir, "inside.txt"); err != nil {
		t.Fatalf("SafeJoin(link inside) err = %v", err)
	}
	if _, err := SafeJoin("", "x"); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("SafeJoin(empty dir) err = %v", err)
	}
}
