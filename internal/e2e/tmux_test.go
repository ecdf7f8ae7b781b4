// Package e2e drives the built magpie binary in a real terminal (tmux): it
// types keys and reads the screen as a person would.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/internal/demo"
)

// terminal is one tmux session running a command.
type terminal struct {
	t       *testing.T
	session string
	exit    string // file the shell writes the exit status to
}

func needTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("e2e: tmux not installed (apt-get install tmux)")
		}
		t.Skip("e2e: tmux not installed (apt-get install tmux)")
	}
}

// build compiles magpie once per test into a temp dir.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "magpie")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/magpie-mail/magpie")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// start runs command in a fresh 120x40 tmux session with its own HOME.
func start(t *testing.T, lang, command string) *terminal {
	t.Helper()
	dir := t.TempDir()
	term := &terminal{t: t, session: fmt.Sprintf("magpie-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), exit: filepath.Join(dir, "exit")}
	shell := fmt.Sprintf("env HOME=%s LANG=%s TERM=xterm-256color %s; echo EXIT:$? > %s; sleep 60", dir, lang, command, term.exit)
	out, err := exec.Command("tmux", "new-session", "-d", "-s", term.session, "-x", "120", "-y", "40", shell).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", term.session).Run() })
	return term
}

func (term *terminal) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", term.session).Output()
	if err != nil {
		term.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

// keys types literal text or tmux key names (Enter, Escape, Tab, C-x…).
func (term *terminal) keys(keys ...string) {
	term.t.Helper()
	for _, k := range keys {
		args := []string{"send-keys", "-t", term.session}
		if k == "Enter" || k == "Escape" || k == "Down" || k == "Tab" || (len(k) == 3 && strings.HasPrefix(k, "C-")) {
			args = append(args, k)
		} else {
			args = append(args, "-l", k)
		}
		if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
			term.t.Fatalf("send-keys: %v\n%s", err, out)
		}
		if k == "Escape" {
			// A key right after ESC would arrive as Alt+key: terminals
			// cannot tell them apart otherwise.
			time.Sleep(300 * time.Millisecond)
		}
	}
}

// waitFor polls the screen until match holds; the limit only bounds a
// hang, it asserts no speed.
func (term *terminal) waitFor(what string, match func(string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		s := term.screen()
		if match(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("screen never showed %s:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (term *terminal) waitText(text string) string {
	term.t.Helper()
	return term.waitFor(fmt.Sprintf("%q", text), func(s string) bool { return strings.Contains(s, text) })
}

var listDate = regexp.MustCompile(`(\d\d:\d\d|\d\d-\d\d|\d{4}-\d\d-\d\d)$`)

func TestDemoInATerminal(t *testing.T) {
	needTmux(t)
	bin := build(t)
	term := start(t, "en_US.UTF-8", bin+" --demo")

	// The list is visible, with Chinese subjects, in aligned columns: every
	// row ends with its date in the same cell.
	s := term.waitText("公司邮箱搬家方案")
	ends := map[int]int{}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "|") && listDate.MatchString(l) {
			ends[ansi.StringWidth(l)]++
		}
	}
	if len(ends) != 1 {
		t.Fatalf("list rows end at different columns %v:\n%s", ends, s)
	}

	// Search a word that only a GBK-encoded body holds, open the result.
	term.keys("/", demo.ShowcaseNoticeWord, "Enter")
	term.waitFor("the one search result", func(s string) bool {
		return strings.Contains(s, "Search: "+demo.ShowcaseNoticeWord) && strings.Contains(s, "1/1") && strings.Contains(s, demo.ShowcaseNotice)
	})
	term.keys("Enter")
	s = term.waitText("Subject:")
	if strings.Count(s, demo.ShowcaseNoticeWord) < 2 { // the search line, and the body
		t.Fatalf("the body does not show the word searched for:\n%s", s)
	}

	// Move it to Archive and find it there.
	term.keys("Escape", "m")
	term.waitText("Move to which folder?")
	term.keys("Archive", "Enter")
	term.keys("c")
	term.waitText("Jump to which folder?")
	term.keys("work / Archive", "Enter")
	term.waitFor("the notice in work / Archive", func(s string) bool {
		return strings.Contains(s, "work / Archive") && strings.Contains(s, demo.ShowcaseNotice)
	})

	// Help, then quit: the program exits 0 and the terminal is restored
	// (the alternate screen is gone, the shell's line is back).
	term.keys("?")
	term.waitText("Press ? or Esc to close")
	term.keys("Escape", "q")
	s = term.waitFor("the shell back after quitting", func(s string) bool {
		b, _ := os.ReadFile(term.exit)
		return len(b) > 0 && !strings.Contains(s, "All inboxes")
	})
	if b, _ := os.ReadFile(term.exit); strings.TrimSpace(string(b)) != "EXIT:0" {
		t.Fatalf("magpie --demo ended with %q:\n%s", b, s)
	}
}

func TestDemoSpeaksChinese(t *testing.T) {
	needTmux(t)
	bin := build(t)
	term := start(t, "zh_CN.UTF-8", bin+" --demo")
	term.waitText("全部收件箱")
	term.keys("?")
	term.waitText("按键")
	term.keys("Escape", "q")
	term.waitFor("the shell back after quitting", func(string) bool {
		b, _ := os.ReadFile(term.exit)
		return strings.TrimSpace(string(b)) == "EXIT:0"
	})
}

// click sends a left click at a screen cell (0-based) as the terminal
// reports it in SGR mode (press, then release).
func (term *terminal) click(x, y int) {
	term.t.Helper()
	for _, ev := range []string{"M", "m"} {
		seq := fmt.Sprintf("\x1b[<0;%d;%d%s", x+1, y+1, ev)
		if out, err := exec.Command("tmux", "send-keys", "-t", term.session, "-l", seq).CombinedOutput(); err != nil {
			term.t.Fatalf("send-keys: %v\n%s", err, out)
		}
	}
}

// TestDemoSortThreadsAndMouse sorts the list by sender, shows it as
// threads, and opens a folder with a click.
func TestDemoSortThreadsAndMouse(t *testing.T) {
	needTmux(t)
	bin := build(t)
	term := start(t, "en_US.UTF-8", bin+" --demo")
	term.waitText("公司邮箱搬家方案")
	term.keys("S")
	term.waitText("Sort by?")
	term.keys("Down", "Down", "Enter")
	term.waitText("sender: A to Z")
	term.keys("t")
	term.waitFor("threads with their sizes", func(s string) bool {
		return strings.Contains(s, "threads") && threadMark.MatchString(s)
	})
	// The sidebar's third row is the member's Inbox.
	term.click(3, 3)
	term.waitText("work / Inbox")
	term.keys("q")
	term.waitFor("the shell back after quitting", func(string) bool {
		b, _ := os.ReadFile(term.exit)
		return strings.TrimSpace(string(b)) == "EXIT:0"
	})
}

var threadMark = regexp.MustCompile(`\[\+\d+\] `)
