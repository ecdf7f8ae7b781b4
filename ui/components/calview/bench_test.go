package calview

import (
	"context"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/calfixture"
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
	m := calfixture.NewMonth(b, ctx)
	st, sh, first := m.Store, m.Loc, m.First
	acct, err := st.Account(ctx, "bench")
	if err != nil {
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
