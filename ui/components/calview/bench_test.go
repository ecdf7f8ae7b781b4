package calview

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// BenchmarkMonthView is the month view over 1,000 cached events of which
// 100 repeat: the store read of their briefs, the expansion, and the
// render (goal ≤ 30 ms), opened afresh each time.
func BenchmarkMonthView(b *testing.B) { benchMonth(b, false) }

// BenchmarkMonthViewWarm reloads an open view (as after a write, or coming
// back to a month): the zones loaded by name are reused.
func BenchmarkMonthViewWarm(b *testing.B) { benchMonth(b, true) }

func benchMonth(b *testing.B, warm bool) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "cal.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "bench")
	cal, _ := st.UpsertCalendar(ctx, store.Calendar{Account: acct, URL: "https://dav.test/c/", Name: "工作", Color: "#FF2968FF"})
	sh, _ := time.LoadLocation("Asia/Shanghai")
	first := time.Date(2026, 2, 1, 0, 0, 0, 0, sh)
	sy := &calendar.Syncer{Store: st, Account: acct, Loc: sh}
	var objs []store.CalObject
	for i := range 1000 {
		ev := calendar.NewEvent{UID: fmt.Sprintf("m-%d", i), Summary: fmt.Sprintf("会议 %d", i),
			Start: first.Add(time.Duration(i*41) * time.Minute), End: first.Add(time.Duration(i*41+60) * time.Minute)}
		if i%10 == 0 {
			ev.Start, ev.End = ev.Start.AddDate(0, -2, 0), ev.End.AddDate(0, -2, 0)
			ev.RRule = "FREQ=DAILY;INTERVAL=3"
		}
		data, _ := ev.Encode(false, first)
		objs = append(objs, sy.Row(calendar.Object{URL: fmt.Sprintf("https://dav.test/c/%d.ics", i), ETag: `"1"`, Data: data}))
	}
	if err := st.PutCalObjects(ctx, cal, objs, nil); err != nil {
		b.Fatal(err)
	}
	c := common.New(i18n.New(i18n.ZH))
	now := func() time.Time { return first.AddDate(0, 0, 16) }
	v := New(c, DefaultOptions(c.P), now, sh)
	b.ResetTimer()
	for b.Loop() {
		if !warm {
			v = New(c, DefaultOptions(c.P), now, sh)
		}
		v.SetSize(120, 40)
		v.Invalidate()
		v, _ = v.Update(v.Load(ctx, st, []store.AccountID{acct})())
		_ = v.View()
	}
}
