package app

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}
var langs = []i18n.Lang{i18n.EN, i18n.ZH}

// checkFrame asserts the frame is exactly w×h cells and carries no escape
// or control character besides the line breaks once styles are stripped.
func checkFrame(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
		for _, r := range l {
			if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200b || r == 0x200d {
				t.Errorf("line %d carries %U: %q", i, r, l)
			}
		}
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range langs {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s_%dx%d", lang, sz.w, sz.h)
			t.Run(name, func(t *testing.T) {
				m := newTestModel(t, newFixture(t), lang, sz.w, sz.h)
				steps := []struct {
					name string
					keys []string
				}{
					{"inbox", nil},
					{"threads", []string{"t"}},
					{"reader", []string{"t", "down", "enter"}},
					{"help", []string{"?"}},
					{"move", []string{"?", "esc", "m"}},
					{"sorted", []string{"esc", "S", "down", "down", "enter"}},
					{"thread_open", []string{"c", "项", "目", "enter", "t", "enter"}},
				}
				for _, st := range steps {
					press(t, m, st.keys...)
					s := screen(m)
					checkFrame(t, s, sz.w, sz.h)
					golden(t, name+"_"+st.name, s)
				}
			})
		}
	}
}

func TestSetupPlaceholder(t *testing.T) {
	for _, lang := range langs {
		m := newModel(Deps{Config: &account.Config{}, Printer: i18n.New(lang)}, clock, time.UTC)
		if m.Init() == nil {
			t.Fatal("Init asks for the background colour")
		}
		send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		s := screen(m)
		checkFrame(t, s, 80, 24)
		if !strings.Contains(s, "magpie account add") {
			t.Errorf("placeholder does not say how to add an account:\n%s", s)
		}
		golden(t, string(lang)+"_setup", s)
	}
}
