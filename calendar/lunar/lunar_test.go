package lunar

import (
	"testing"
	"time"
)

func TestKnownLunarDates(t *testing.T) {
	var c Calendar
	cases := []struct {
		y, m, d  int
		want     string // full lunar date
		short    string // the cell line
		festival string
	}{
		{2026, 2, 17, "正月初一", "春节", "春节"},
		{2026, 2, 16, "腊月廿九", "除夕", "除夕"}, // 腊月 2025 has 29 days
		{2025, 10, 6, "八月十五", "中秋节", "中秋节"},
		{2026, 3, 3, "正月十五", "元宵节", "元宵节"},
		{2026, 6, 19, "五月初五", "端午节", "端午节"},
		{2026, 9, 25, "八月十五", "中秋节", "中秋节"},
		{2025, 1, 29, "正月初一", "春节", "春节"},
		{2025, 7, 25, "闰六月初一", "闰六月", ""}, // 2025 has a leap sixth month
		{2025, 8, 23, "七月初一", "处暑", ""},   // 七月 begins on 处暑
		{2026, 3, 19, "二月初一", "二月", ""},   // 初一 shows the month
		{2026, 3, 20, "二月初二", "龙抬头", "龙抬头"},
		{2024, 2, 10, "正月初一", "春节", "春节"},
		{2023, 3, 22, "闰二月初一", "闰二月", ""},
		{2033, 12, 22, "闰冬月初一", "闰冬月", ""}, // the "2033 problem" leap month
	}
	for _, tc := range cases {
		d := c.Date(tc.y, time.Month(tc.m), tc.d)
		if d.String() != tc.want || d.Short() != tc.short || d.Festival != tc.festival {
			t.Errorf("%d-%02d-%02d: %s / %s / %q, want %s / %s / %q", tc.y, tc.m, tc.d, d, d.Short(), d.Festival, tc.want, tc.short, tc.festival)
		}
	}
}

func TestSolarTerms(t *testing.T) {
	var c Calendar
	cases := []struct {
		y, m, d int
		term    string
	}{
		{2026, 4, 5, "清明"}, {2026, 3, 20, "春分"}, {2026, 6, 21, "夏至"}, {2025, 12, 21, "冬至"},
		{2026, 2, 4, "立春"}, {2026, 1, 5, "小寒"}, {2026, 9, 23, "秋分"}, {2026, 12, 22, "冬至"},
	}
	for _, tc := range cases {
		d := c.Date(tc.y, time.Month(tc.m), tc.d)
		if TermName(d.Term) != tc.term {
			t.Errorf("%d-%02d-%02d: term %q, want %q", tc.y, tc.m, tc.d, TermName(d.Term), tc.term)
		}
	}
	if d := c.Date(2026, 4, 5); d.Festival != "清明节" || d.Short() != "清明节" {
		t.Errorf("清明节 on 2026-04-05: %+v", d)
	}
}

func TestHolidays2026(t *testing.T) {
	var c Calendar
	cases := []struct {
		m, d int
		name string
		work bool
	}{
		{1, 1, "元旦", false}, {1, 4, "元旦", true},
		{2, 14, "春节", true}, {2, 15, "春节", false}, {2, 17, "春节", false}, {2, 23, "春节", false}, {2, 28, "春节", true},
		{4, 5, "清明节", false}, {5, 9, "劳动节", true}, {6, 19, "端午节", false},
		{9, 20, "国庆节", true}, {9, 25, "中秋节", false}, {10, 7, "国庆节", false}, {10, 10, "国庆节", true},
		{2, 24, "", false}, {3, 1, "", false},
	}
	for _, tc := range cases {
		h := c.Date(2026, time.Month(tc.m), tc.d).Holiday
		if h.Name != tc.name || h.Work != tc.work {
			t.Errorf("2026-%02d-%02d: %+v, want %s work=%v", tc.m, tc.d, h, tc.name, tc.work)
		}
	}
}

// Every day of 1950–2100 maps to a valid lunar date, days advance by one,
// and months have 29 or 30 days.
func TestContinuity(t *testing.T) {
	var c Calendar
	day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := c.Date(day.Year(), day.Month(), day.Day())
	for day.Year() < 2100 {
		day = day.AddDate(0, 0, 1)
		d := c.Date(day.Year(), day.Month(), day.Day())
		if d.MonthDays != 29 && d.MonthDays != 30 {
			t.Fatalf("%s: month of %d days", day.Format(time.DateOnly), d.MonthDays)
		}
		switch {
		case d.Day == prev.Day+1 && d.Month == prev.Month && d.Leap == prev.Leap:
		case d.Day == 1 && prev.Day == prev.MonthDays:
		default:
			t.Fatalf("%s: %s follows %s", day.Format(time.DateOnly), d, prev)
		}
		prev = d
	}
}
