package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// TestTmuxColorsAskedAfterTheStart: with Deps.TmuxColors, the app asks
// tmux (`tmux info`, here a stand-in that offers RGB) for its colours in a
// Cmd, after a pause, and raises the program's profile; without, it asks
// nothing.
func TestTmuxColorsAskedAfterTheStart(t *testing.T) {
	bin := t.TempDir()
	must(t, os.WriteFile(filepath.Join(bin, "tmux"), []byte("#!/bin/sh\necho '  RGB: (flag) true'\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("TMUX", "/tmp/tmux-test/default,1,0")
	f := newFixture(t)
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	if m.tmuxColors() != nil {
		t.Fatal("asked tmux without TmuxColors")
	}
	m.d.TmuxColors = true
	cmd := m.tmuxColors()
	if cmd == nil {
		t.Fatal("no Cmd with TmuxColors")
	}
	start := time.Now()
	msg, ok := cmd().(tea.ColorProfileMsg)
	if !ok || msg.Profile != colorprofile.TrueColor {
		t.Fatalf("got %#v, want TrueColor", msg)
	}
	if time.Since(start) < tmuxAskDelay {
		t.Fatal("tmux was asked at once")
	}
}

// TestUnreadCountsWaitForTheFirstPage: at the start the folders are read
// alone and the unread counts once the first page is in; later reloads
// read both together; the sidebar shows the counts either way.
func TestUnreadCountsWaitForTheFirstPage(t *testing.T) {
	f := newFixture(t)
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	folders, ok := m.reloadFolders()().(FoldersLoadedMsg)
	if !ok {
		t.Fatal("the start reads more than the folders before the first page")
	}
	_, page := m.Update(folders)
	_, counts := m.Update(page())
	if counts == nil {
		t.Fatal("the first page does not ask for the unread counts")
	}
	if !slices.ContainsFunc(cmdMsgs(counts), func(msg tea.Msg) bool { _, ok := msg.(UnreadLoadedMsg); return ok }) {
		t.Fatal("the first page's Cmd does not read the unread counts")
	}
	run(t, m, counts)
	if !strings.Contains(screen(m), "All inboxes        3") {
		t.Fatalf("no unread count in the sidebar:\n%s", screen(m))
	}
	if _, ok := m.reloadFolders()().(tea.BatchMsg); !ok {
		t.Fatal("a later reload does not read the counts beside the folders")
	}
}

// cmdMsgs runs cmd, and each Cmd of a batch, and returns their messages.
func cmdMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, cmdMsgs(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
