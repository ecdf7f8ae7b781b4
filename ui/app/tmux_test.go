package app

import (
	"os"
	"path/filepath"
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
