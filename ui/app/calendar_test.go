package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// L opens the calendar view over the panes with what the store's calendar
// cache holds, offline; esc returns to the mail.
func TestCalendarViewOpensFromTheStore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cal, err := f.st.UpsertCalendar(ctx, store.Calendar{Account: f.work, URL: "https://dav.test/u/work/", Name: "工作", Color: "#FF2968FF"})
	must(t, err)
	day := now.UTC()
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:" + day.Format("20060102") + "T060000Z\r\nDURATION:PT1H\r\nSUMMARY:周会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	must(t, f.st.PutCalObjects(ctx, cal, []store.CalObject{{Href: "https://dav.test/u/work/x.ics", ETag: `"1"`, UID: "x", Data: data,
		Start: day.Add(-24 * time.Hour), End: day.Add(48 * time.Hour)}}, nil))
	for _, lang := range langs {
		m := newTestModel(t, f, lang, 80, 24)
		press(t, m, "L")
		s := screen(m)
		checkFrame(t, s, 80, 24)
		if !strings.Contains(s, "工作") || !strings.Contains(s, "06:00 周会") {
			t.Fatalf("%s: calendar view:\n%s", lang, s)
		}
		if lang == i18n.ZH && !strings.Contains(s, "农历") {
			t.Errorf("zh-CN shows the lunar date by default:\n%s", s)
		}
		press(t, m, "w")
		if s := screen(m); !strings.Contains(s, "06:00") {
			t.Errorf("%s: week view:\n%s", lang, s)
		}
		press(t, m, "esc")
		if s := screen(m); strings.Contains(s, "06:00 周会") {
			t.Fatalf("%s: esc goes back to the mail:\n%s", lang, s)
		}
	}
}
