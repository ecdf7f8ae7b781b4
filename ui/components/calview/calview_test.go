package calview

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

func fixtureEvents(t *testing.T, loc *time.Location, from, to time.Time) []Event {
	t.Helper()
	docs := []struct {
		cal      store.CalendarID
		conflict bool
		lines    []string
	}{
		{1, false, []string{"UID:w", "DTSTART;TZID=Asia/Shanghai:20260202T100000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;BYDAY=MO", "SUMMARY:周会"}},
		{1, false, []string{"UID:t", "DTSTART;TZID=Asia/Shanghai:20260217T100000", "DTEND;TZID=Asia/Shanghai:20260217T113000", "SUMMARY:春节团拜", "LOCATION:三楼会议室"}},
		{2, false, []string{"UID:l", "DTSTART;VALUE=DATE:20260224", "DTEND;VALUE=DATE:20260227", "SUMMARY:年假"}},
		{2, false, []string{"UID:r", "DTSTART;TZID=China Standard Time:20260217T190000", "DURATION:PT2H", "SUMMARY:Family dinner"}},
		{1, true, []string{"UID:c", "DTSTART;TZID=Asia/Shanghai:20260219T140000", "DURATION:PT1H", "SUMMARY:Review"}},
	}
	var out []Event
	for _, d := range docs {
		data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n" +
			strings.Join(d.lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		_, series, err := calendar.Parse(data, loc)
		if err != nil {
			t.Fatal(err)
		}
		occs, err := series[0].Expand(from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range occs {
			out = append(out, Event{Calendar: d.cal, Occurrence: o, Conflict: d.conflict})
		}
	}
	return out
}

func newFixture(t *testing.T, lang i18n.Lang, w, h int) Model {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := func() time.Time { return time.Date(2026, 2, 17, 9, 30, 0, 0, sh) }
	c := common.New(i18n.New(lang))
	m := New(c, DefaultOptions(c.P), now, sh)
	m.SetSize(w, h)
	return m
}

// load feeds the model what LoadCmd would read for its range.
func load(t *testing.T, m Model) Model {
	t.Helper()
	from, to := m.Range()
	m, _ = m.Update(LoadedMsg{Req: m.req, Calendars: []Calendar{
		{ID: 1, Name: "工作", Color: "#FF2968FF"}, {ID: 2, Name: "生活", Color: "#1BADF8FF"},
	}, Events: fixtureEvents(t, m.loc, from, to)})
	return m
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
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
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, mode := range []string{"m", "w", "d", "a"} {
				m := newFixture(t, lang, size[0], size[1])
				m, _ = m.Update(press(mode))
				m = load(t, m)
				name := map[string]string{"m": "month", "w": "week", "d": "day", "a": "agenda"}[mode]
				golden(t, string(lang)+"_"+name+"_"+itoa(size[0])+"x"+itoa(size[1]), m.View(), size[0], size[1])
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestKeysMoveToggleAndClose(t *testing.T) {
	m := load(t, newFixture(t, i18n.EN, 80, 24))
	if strings.Contains(m.View(), "Spring Festival") {
		t.Fatal("English starts without lunar dates")
	}
	m, _ = m.Update(press("L"))
	if !strings.Contains(ansi.Strip(m.View()), "Spring F") {
		t.Fatalf("L shows lunar dates:\n%s", ansi.Strip(m.View()))
	}
	m, _ = m.Update(press("]"))
	if m.Cursor().Month() != time.March || m.Cursor().Day() != 17 {
		t.Fatalf("] moves a month: %v", m.Cursor())
	}
	m, _ = m.Update(press("t"))
	m, _ = m.Update(press("l"))
	if m.Cursor().Day() != 18 {
		t.Fatalf("l moves a day: %v", m.Cursor())
	}
	m = load(t, m)
	m, _ = m.Update(press("d"))
	m, _ = m.Update(press("l"))
	m = load(t, m)
	if !strings.Contains(m.View(), "Review") {
		t.Fatalf("day view:\n%s", ansi.Strip(m.View()))
	}
	m, _ = m.Update(press("t"))
	m = load(t, m)
	m, _ = m.Update(press("2")) // hide 生活
	if v := ansi.Strip(m.View()); strings.Contains(v, "Family dinner") || !strings.Contains(v, "(hidden)") {
		t.Fatalf("toggling calendar 2 hides its events:\n%s", v)
	}
	_, cmd := m.Update(press("esc"))
	if cmd == nil {
		t.Fatal("esc closes")
	}
	if _, ok := cmd().(ClosedMsg); !ok {
		t.Fatal("esc answers ClosedMsg")
	}
	// A stale load is dropped.
	before := m.View()
	m, _ = m.Update(LoadedMsg{Req: m.req + 5})
	if m.View() != before {
		t.Fatal("a stale result changed the view")
	}
}

func TestSundayStart(t *testing.T) {
	m := newFixture(t, i18n.ZH, 80, 24)
	m.opts.WeekStart = time.Sunday
	from, _ := m.Range()
	if from.Weekday() != time.Sunday || from.Day() != 1 {
		t.Fatalf("February 2026 grid starts %v", from)
	}
	m = load(t, m)
	if first := strings.Split(ansi.Strip(m.View()), "\n")[2]; !strings.HasPrefix(strings.TrimSpace(first), "周日") {
		t.Fatalf("header row: %q", first)
	}
}
