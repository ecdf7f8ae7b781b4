// Package calfixture builds the cached calendar that the month-view
// benchmarks time (ui/components/calview and internal/bench), so both
// measure the same 1,000 events by construction.
package calfixture

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
)

// Month is a store caching one calendar with 1,000 events of which 100
// repeat (every third day, begun two months earlier), spread over the
// month that begins at First in Loc (Asia/Shanghai). The store is closed
// when tb ends.
type Month struct {
	Store *store.Store
	Loc   *time.Location
	First time.Time
}

// NewMonth builds the fixture in tb's temporary directory.
func NewMonth(tb testing.TB, ctx context.Context) Month {
	tb.Helper()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "cal.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	acct, err := st.Account(ctx, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	cal, err := st.UpsertCalendar(ctx, store.Calendar{Account: acct, URL: "https://dav.test/c/", Name: "工作", Color: "#FF2968FF"})
	if err != nil {
		tb.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	first := time.Date(2026, 2, 1, 0, 0, 0, 0, sh)
	sy := &calendar.Syncer{Store: st, Account: acct, Loc: sh}
	objs := make([]store.CalObject, 0, 1000)
	for i := range 1000 {
		ev := calendar.NewEvent{UID: fmt.Sprintf("m-%d", i), Summary: fmt.Sprintf("会议 %d", i),
			Start: first.Add(time.Duration(i*41) * time.Minute), End: first.Add(time.Duration(i*41+60) * time.Minute)}
		if i%10 == 0 {
			ev.Start, ev.End = ev.Start.AddDate(0, -2, 0), ev.End.AddDate(0, -2, 0)
			ev.RRule = "FREQ=DAILY;INTERVAL=3"
		}
		data, err := ev.Encode(false, first)
		if err != nil {
			tb.Fatal(err)
		}
		objs = append(objs, sy.Row(calendar.Object{URL: fmt.Sprintf("https://dav.test/c/%d.ics", i), ETag: `"1"`, Data: data}))
	}
	if err := st.PutCalObjects(ctx, cal, objs, nil); err != nil {
		tb.Fatal(err)
	}
	return Month{Store: st, Loc: sh, First: first}
}
