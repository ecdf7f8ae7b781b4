package lunar

import "time"

// Holiday is a date's place in the official holiday arrangement (国务院办公厅
// 关于部分节假日安排的通知).
type Holiday struct {
	Name string // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节; "" for none
	// Work marks a make-up workday (调休上班, 班); otherwise a day off (休).
	Work bool
}

// IsZero reports an ordinary day.
func (h Holiday) IsZero() bool { return h.Name == "" }

// HolidayYears lists the years the table covers; other years have no
// arrangement here (the calendar still shows festivals and terms).
func HolidayYears() []int { return []int{2025, 2026} }

// HolidayOn returns the arrangement of a date, zero for an ordinary day.
//
// Sources: 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026), as
// published by the State Council; cross-checked against tyme4go's table.
func HolidayOn(y int, m time.Month, d int) Holiday {
	type span struct {
		from, to [3]int
		name     string
		work     bool
	}
	table := []span{
		// 2025
		{[3]int{2025, 1, 1}, [3]int{2025, 1, 1}, "元旦", false},
		{[3]int{2025, 1, 26}, [3]int{2025, 1, 26}, "春节", true},
		{[3]int{2025, 1, 28}, [3]int{2025, 2, 4}, "春节", false},
		{[3]int{2025, 2, 8}, [3]int{2025, 2, 8}, "春节", true},
		{[3]int{2025, 4, 4}, [3]int{2025, 4, 6}, "清明节", false},
		{[3]int{2025, 4, 27}, [3]int{2025, 4, 27}, "劳动节", true},
		{[3]int{2025, 5, 1}, [3]int{2025, 5, 5}, "劳动节", false},
		{[3]int{2025, 5, 31}, [3]int{2025, 6, 2}, "端午节", false},
		{[3]int{2025, 9, 28}, [3]int{2025, 9, 28}, "国庆节", true},
		{[3]int{2025, 10, 1}, [3]int{2025, 10, 8}, "国庆节", false},
		{[3]int{2025, 10, 11}, [3]int{2025, 10, 11}, "国庆节", true},
		// 2026
		{[3]int{2026, 1, 1}, [3]int{2026, 1, 3}, "元旦", false},
		{[3]int{2026, 1, 4}, [3]int{2026, 1, 4}, "元旦", true},
		{[3]int{2026, 2, 14}, [3]int{2026, 2, 14}, "春节", true},
		{[3]int{2026, 2, 15}, [3]int{2026, 2, 23}, "春节", false},
		{[3]int{2026, 2, 28}, [3]int{2026, 2, 28}, "春节", true},
		{[3]int{2026, 4, 4}, [3]int{2026, 4, 6}, "清明节", false},
		{[3]int{2026, 5, 1}, [3]int{2026, 5, 5}, "劳动节", false},
		{[3]int{2026, 5, 9}, [3]int{2026, 5, 9}, "劳动节", true},
		{[3]int{2026, 6, 19}, [3]int{2026, 6, 21}, "端午节", false},
		{[3]int{2026, 9, 20}, [3]int{2026, 9, 20}, "国庆节", true},
		{[3]int{2026, 9, 25}, [3]int{2026, 9, 27}, "中秋节", false},
		{[3]int{2026, 10, 1}, [3]int{2026, 10, 7}, "国庆节", false},
		{[3]int{2026, 10, 10}, [3]int{2026, 10, 10}, "国庆节", true},
	}
	n := dayNumber(y, m, d)
	for _, s := range table {
		if n >= dayNumber(s.from[0], time.Month(s.from[1]), s.from[2]) && n <= dayNumber(s.to[0], time.Month(s.to[1]), s.to[2]) {
			return Holiday{Name: s.name, Work: s.work}
		}
	}
	return Holiday{}
}
