// Package lunar computes the Chinese calendar (农历) of a Gregorian date:
// lunar month and day, leap months, the 24 solar terms (节气), traditional
// festivals and the official public holidays of the People's Republic with
// their make-up workdays (调休).
//
// The calendar is computed, not tabulated, by the rules of GB/T 33661-2017:
// a month begins on the Beijing date of a new moon; month 11 holds the
// winter solstice; in a year of 13 months between two such months the first
// month without a principal term (中气) is the leap month. See astro.go for
// the astronomy and its accuracy. Holidays are announced yearly by the State
// Council and come from a table (holidays.go).
//
// Names returned here are the standard Chinese ones (they are the calendar's
// notation); package ui translates them for other languages.
package lunar

import (
	"math"
	"time"
)

// Day is the Chinese calendar's view of one Gregorian date.
type Day struct {
	Month     int  // 1 (正月) … 12 (腊月)
	Leap      bool // a leap month (闰月)
	Day       int  // 1 … 30
	MonthDays int  // 29 or 30
	// Term is the solar term falling on this date, -1 for none;
	// 0 = 小寒 … 23 = 冬至 (TermName).
	Term int
	// Festival is the traditional lunar festival, "" for none (春节, 元宵节…).
	Festival string
	// SolarFestival is a Gregorian-date festival, "" for none (元旦, 国庆节…).
	SolarFestival string
	// Holiday is the official holiday arrangement of the date, if any.
	Holiday Holiday
}

// TermName names solar term i of the 24 in calendar-year order, 小寒 (0)
// first; term i begins when the Sun's apparent longitude reaches
// 285° + 15°·i. Out of range: "".
func TermName(i int) string {
	names := [24]string{"小寒", "大寒", "立春", "雨水", "惊蛰", "春分", "清明", "谷雨", "立夏", "小满", "芒种", "夏至",
		"小暑", "大暑", "立秋", "处暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至"}
	if i < 0 || i >= len(names) {
		return ""
	}
	return names[i]
}

// Calendar computes and remembers lunar years. The zero value is ready;
// it is not safe for concurrent use (give each goroutine its own).
type Calendar struct {
	cycles map[int]*cycle  // by the Gregorian year of the closing winter solstice
	terms  map[int][24]int // Beijing day numbers of each year's terms
}

// cycle is the months from the month-11 that holds the winter solstice of
// year-1 up to (not including) the one that holds the solstice of year.
type cycle struct {
	starts []int // day numbers of month starts; last = next cycle's month 11
	months []int // month numbers
	leap   []bool
}

func dayNumber(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Terms returns the Beijing dates of year's 24 solar terms, 小寒 first.
func (c *Calendar) Terms(year int) [24]time.Time {
	var out [24]time.Time
	for i, n := range c.termDays(year) {
		out[i] = time.Unix(int64(n)*86400, 0).UTC()
	}
	return out
}

func (c *Calendar) termDays(year int) [24]int {
	if t, ok := c.terms[year]; ok {
		return t
	}
	if c.terms == nil {
		c.terms = map[int][24]int{}
	}
	var t [24]int
	guess := dayJD(dayNumber(year, time.January, 6))
	for i := range t {
		lon := math.Mod(285+15*float64(i), 360)
		t[i] = beijingDay(sunAt(lon, guess+15.22*float64(i)))
	}
	c.terms[year] = t
	return t
}

// newMoonOnOrBefore is the Beijing day number of the last new moon on or
// before day n.
func newMoonOnOrBefore(n int) int {
	k := math.Floor((dayJD(n) - 2451550.09766) / 29.530588861)
	for beijingDay(newMoonJDE(k)) > n {
		k--
	}
	for beijingDay(newMoonJDE(k+1)) <= n {
		k++
	}
	return beijingDay(newMoonJDE(k))
}

func (c *Calendar) cycle(year int) *cycle {
	if cy, ok := c.cycles[year]; ok {
		return cy
	}
	if c.cycles == nil {
		c.cycles = map[int]*cycle{}
	}
	a := newMoonOnOrBefore(c.termDays(year - 1)[23])
	b := newMoonOnOrBefore(c.termDays(year)[23])
	starts := []int{a}
	for s := a; s < b; {
		s = newMoonOnOrBefore(s + 35)
		starts = append(starts, s)
	}
	// Principal terms (中气: odd indexes, longitudes multiple of 30°) of
	// both years cover the cycle.
	var zhongqi []int
	for _, y := range []int{year - 1, year} {
		t := c.termDays(y)
		for i := 1; i < 24; i += 2 {
			zhongqi = append(zhongqi, t[i])
		}
	}
	n := len(starts) - 1
	leapAt := -1
	if n == 13 {
		for i := 1; i < n && leapAt < 0; i++ {
			has := false
			for _, z := range zhongqi {
				if z >= starts[i] && z < starts[i+1] {
					has = true
					break
				}
			}
			if !has {
				leapAt = i
			}
		}
	}
	cy := &cycle{starts: starts, months: make([]int, n), leap: make([]bool, n)}
	num := 11
	for i := range n {
		if i > 0 {
			if i == leapAt {
				cy.leap[i] = true
			} else {
				num = num%12 + 1
			}
		}
		cy.months[i] = num
	}
	c.cycles[year] = cy
	return cy
}

// Date returns the lunar month and day of a Gregorian date, with terms,
// festivals and holidays.
func (c *Calendar) Date(y int, m time.Month, d int) Day {
	n := dayNumber(y, m, d)
	year := y
	cy := c.cycle(year)
	if n >= cy.starts[len(cy.starts)-1] {
		year++
		cy = c.cycle(year)
	}
	i := 0
	for i+1 < len(cy.starts)-1 && cy.starts[i+1] <= n {
		i++
	}
	out := Day{Month: cy.months[i], Leap: cy.leap[i], Day: n - cy.starts[i] + 1,
		MonthDays: cy.starts[i+1] - cy.starts[i], Term: -1}
	for t, tn := range c.termDays(y) {
		if tn == n {
			out.Term = t
		}
	}
	out.Festival = lunarFestival(out)
	out.SolarFestival = solarFestival(m, d)
	if out.Term == 6 && out.Festival == "" {
		out.Festival = "清明节"
	}
	out.Holiday = HolidayOn(y, m, d)
	return out
}

// lunarFestival names the traditional festival of a lunar date. 除夕 is the
// last day of month 12, whether it has 29 or 30 days.
func lunarFestival(d Day) string {
	if d.Leap {
		return ""
	}
	switch {
	case d.Month == 12 && d.Day == d.MonthDays:
		return "除夕"
	}
	names := map[[2]int]string{
		{1, 1}: "春节", {1, 15}: "元宵节", {2, 2}: "龙抬头", {5, 5}: "端午节", {7, 7}: "七夕节",
		{7, 15}: "中元节", {8, 15}: "中秋节", {9, 9}: "重阳节", {12, 8}: "腊八节", {12, 23}: "小年",
	}
	return names[[2]int{d.Month, d.Day}]
}

func solarFestival(m time.Month, d int) string {
	names := map[[2]int]string{
		{1, 1}: "元旦", {3, 8}: "妇女节", {3, 12}: "植树节", {5, 1}: "劳动节", {5, 4}: "青年节",
		{6, 1}: "儿童节", {7, 1}: "建党节", {8, 1}: "建军节", {9, 10}: "教师节", {10, 1}: "国庆节",
	}
	return names[[2]int{int(m), d}]
}

// MonthName is the Chinese name of a lunar month: 正月, 二月 … 冬月, 腊月,
// with 闰 before a leap month.
func MonthName(month int, leap bool) string {
	names := [...]string{"正月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "冬月", "腊月"}
	if month < 1 || month > 12 {
		return ""
	}
	if leap {
		return "闰" + names[month-1]
	}
	return names[month-1]
}

// DayName is the Chinese name of a lunar day: 初一 … 初十, 十一 … 二十, 廿一 …
// 三十.
func DayName(day int) string {
	digits := [...]string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	switch {
	case day < 1 || day > 30:
		return ""
	case day <= 10:
		return "初" + digits[day-1]
	case day < 20:
		return "十" + digits[day-11]
	case day == 20:
		return "二十"
	case day < 30:
		return "廿" + digits[day-21]
	}
	return "三十"
}

// Short is what a calendar cell shows under a date: the festival, else
// the solar term, else the lunar day — or the month name on its first day
// (初一 shows 正月).
func (d Day) Short() string {
	switch {
	case d.Festival != "":
		return d.Festival
	case d.Term >= 0:
		return TermName(d.Term)
	case d.Day == 1:
		return MonthName(d.Month, d.Leap)
	}
	return DayName(d.Day)
}

// String is the full lunar date, e.g. 正月初一.
func (d Day) String() string { return MonthName(d.Month, d.Leap) + DayName(d.Day) }
