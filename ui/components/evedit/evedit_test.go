package evedit

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func fixture(t *testing.T, lang i18n.Lang, ex Existing, d Draft) Model {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := common.New(i18n.New(lang))
	known := []store.KnownAddress{
		{Address: store.Address{Name: "王芳", Addr: "wang.fang@example.cn"}, Count: 9},
		{Address: store.Address{Name: "Li Lei", Addr: "lilei@example.cn"}, Count: 4},
		{Address: store.Address{Addr: "wangwu@example.com"}, Count: 1},
	}
	if d.Start.IsZero() {
		now := time.Date(2026, 2, 17, 9, 30, 0, 0, sh)
		d = NewDraft(time.Date(2026, 2, 17, 0, 0, 0, 0, sh), now, Defaults{Duration: time.Hour, Reminder: 15 * time.Minute, Calendar: 2})
	}
	m := New(c, sh, []Calendar{{ID: 1, Name: "工作"}, {ID: 2, Name: "生活"}}, d, ex, known)
	m.SetSize(80, 24)
	return m
}

func kp(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(kp(string(r)))
	}
	return m
}

func send(m Model, keys ...string) (Model, tea.Msg) {
	var last tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(kp(k))
		if cmd != nil {
			last = cmd()
		}
	}
	return m, last
}

func focusOn(m Model, f Field) Model {
	for m.Focused() != f {
		m, _ = m.Update(kp("tab"))
	}
	return m
}

// A new event with the config's defaults: the next hour, one hour long,
// a reminder 15 minutes before, the default calendar.
func TestNewEventDefaultsAndSave(t *testing.T) {
	m := fixture(t, i18n.EN, Existing{}, Draft{})
	m = typeText(m, "周会 Standup")
	m = focusOn(m, FieldLocation)
	m = typeText(m, "3F")
	m = focusOn(m, FieldAttendees)
	m = typeText(m, "wang")
	if len(m.sugg) != 2 || m.sugg[0].Addr != "wang.fang@example.cn" {
		t.Fatalf("completion, most used first: %+v", m.sugg)
	}
	m, _ = send(m, "down", "enter") // the second: wangwu
	m = typeText(m, "Li")
	m, _ = send(m, "enter")
	m = focusOn(m, FieldRepeat)
	m, _ = send(m, "right", "right") // weekly
	_, msg := send(m, "ctrl+s")
	sub, ok := msg.(SubmittedMsg)
	if !ok {
		t.Fatalf("ctrl+s: %T %v", msg, m.err)
	}
	d := sub.Draft
	if d.Title != "周会 Standup" || d.Location != "3F" || d.Calendar != 2 || d.RRule != "FREQ=WEEKLY" {
		t.Fatalf("draft: %+v", d)
	}
	if d.Start.Hour() != 10 || d.End.Sub(d.Start) != time.Hour || !d.Remind || d.Reminder != 15*time.Minute {
		t.Fatalf("defaults: %v – %v, reminder %v %v", d.Start, d.End, d.Remind, d.Reminder)
	}
	if strings.Join(d.Attendees, ",") != "wangwu@example.com,lilei@example.cn" {
		t.Fatalf("attendees: %q", d.Attendees)
	}
	if sub.Scope != calendar.ScopeAll || sub.Existing.UID != "" {
		t.Fatalf("a new event: %+v", sub)
	}
}

// Bad input is said, not saved; all-day switches the time fields to dates
// and the end is inclusive on screen.
func TestValidationAndAllDay(t *testing.T) {
	m := fixture(t, i18n.ZH, Existing{}, Draft{})
	m = focusOn(m, FieldEnd)
	m, _ = send(m, "ctrl+u")
	m = typeText(m, "2026-02-17 08:00")
	if _, msg := send(m, "ctrl+s"); msg != nil || !strings.Contains(ansi.Strip(m2(m).View()), "结束不能早于开始") {
		t.Fatalf("end before start saved: %v\n%s", msg, ansi.Strip(m2(m).View()))
	}
	m = focusOn(m, FieldAllDay)
	m, _ = send(m, "space")
	if got := string(m.text[FieldStart]) + "|" + string(m.text[FieldEnd]); got != "2026-02-17|2026-02-17" {
		t.Fatalf("all-day fields: %s", got)
	}
	m = focusOn(m, FieldRepeat)
	m, _ = send(m, "left") // custom
	m, _ = send(m, "tab")
	if m.Focused() != FieldRule {
		t.Fatalf("custom repeat shows the rule field, focus %d", m.Focused())
	}
	m = typeText(m, "FREQ=SOMETIMES")
	if _, msg := send(m, "ctrl+s"); msg != nil {
		t.Fatal("an invalid rule was saved")
	}
	m, _ = send(m, "ctrl+u")
	m = typeText(m, "FREQ=WEEKLY;BYDAY=MO,WE")
	_, msg := send(m, "ctrl+s")
	sub := msg.(SubmittedMsg)
	if !sub.Draft.AllDay || sub.Draft.End.Sub(sub.Draft.Start) != 24*time.Hour || sub.Draft.RRule != "FREQ=WEEKLY;BYDAY=MO,WE" {
		t.Fatalf("all-day draft: %+v", sub.Draft)
	}
	if _, msg := send(m, "esc"); msg != (CancelledMsg{}) {
		t.Fatalf("esc: %v", msg)
	}
}

// m2 renders with the error line.
func m2(m Model) Model { m, _ = m.Update(kp("ctrl+s")); return m }

// Editing an occurrence of a repeating event asks for the scope.
func TestRecurringAsksScope(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 3, 9, 10, 0, 0, 0, sh)
	ex := Existing{Object: 7, UID: "w1", RID: start, Recurring: true}
	m := fixture(t, i18n.EN, ex, Draft{Calendar: 1, Title: "周会", Start: start, End: start.Add(time.Hour), RRule: "FREQ=WEEKLY"})
	if m.repIdx != 2 || m.remIdx != 0 {
		t.Fatalf("existing rule and no reminder shown: rep %d rem %d", m.repIdx, m.remIdx)
	}
	m, msg := send(m, "ctrl+s")
	if msg != nil || !m.Scoping() || !strings.Contains(ansi.Strip(m.View()), "2 this and following") {
		t.Fatalf("no scope question:\n%s", ansi.Strip(m.View()))
	}
	m, msg = send(m, "esc")
	if m.Scoping() || msg != nil {
		t.Fatal("esc leaves the question")
	}
	_, msg = send(m, "ctrl+s", "2")
	sub := msg.(SubmittedMsg)
	if sub.Scope != calendar.ScopeFollowing || sub.Existing != ex {
		t.Fatalf("scope: %+v", sub)
	}
}

func TestGoldenViews(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 2, 17, 10, 0, 0, 0, sh)
	full := Draft{Calendar: 1, Title: "春节团拜", Location: "三楼会议室", Description: "带红包", Start: start,
		End: start.Add(90 * time.Minute), Attendees: []string{"wang.fang@example.cn"}, Reminder: 15 * time.Minute, Remind: true, RRule: "FREQ=YEARLY"}
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			m := fixture(t, lang, Existing{UID: "t", Recurring: true}, full)
			m.SetSize(size[0], size[1])
			m = focusOn(m, FieldAttendees)
			m = typeText(m, ", li")
			golden(t, string(lang)+"_edit_"+strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1]), m.View(), size[0], size[1])
		}
	}
}

func golden(t *testing.T, name, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%s: line %d is %d cells wide, want %d: %q", name, i, got, w, ansi.Strip(l))
		}
	}
	got := ansi.Strip(view) + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
