package calendar

// Preset is what Magpie knows about a mail provider's CalDAV service,
// keyed by the account preset ID (account.Provider). Sources: the
// providers' help pages and public client trackers, gathered 2026-11 (see
// shared notes, providers.md); Verified is false where only third-party code
// was seen.
type Preset struct {
	Provider string // account preset ID
	URL      string // where discovery starts
	// UserAgent replaces Go's; NetEase answers only clients that look like
	// Apple's CalendarAgent.
	UserAgent string
	// IgnoresTZID: the server drops TZID parameters, so written times are
	// sent in UTC (the instant survives; the zone name does not).
	IgnoresTZID bool
	// SeparatePassword: CalDAV uses a password generated for it, not the
	// mail client password (Feishu: generated in the PC client).
	SeparatePassword bool
	// ListsNoCalendars: the home set lists nothing; the member types the
	// collection URL (QQ).
	ListsNoCalendars bool
	// Verified is false when the endpoint was seen only in third-party code.
	Verified bool
}

// calendarAgent is the User-Agent NetEase's CalDAV server expects.
const calendarAgent = "Mac OS X/10.15.7 (19H15) CalendarAgent/954"

// Presets lists the known CalDAV services.
func Presets() []Preset {
	return []Preset{
		{Provider: "feishu", URL: "https://caldav.feishu.cn/", SeparatePassword: true, Verified: true},
		{Provider: "qq", URL: "https://dav.qq.com/", ListsNoCalendars: true, Verified: true},
		{Provider: "exmail", URL: "https://dav.qq.com/", ListsNoCalendars: true, Verified: false},
		{Provider: "163", URL: "https://caldav.163.com/", UserAgent: calendarAgent, IgnoresTZID: true, Verified: true},
		{Provider: "126", URL: "https://caldav.163.com/", UserAgent: calendarAgent, IgnoresTZID: true, Verified: true},
		{Provider: "netease-qiye", URL: "https://caldav.qiye.163.com/", UserAgent: calendarAgent, IgnoresTZID: true, Verified: true},
		{Provider: "aliyun-qiye", URL: "https://caldav.mxhichina.com/", Verified: true},
	}
}

// PresetFor returns the preset of an account provider ID.
func PresetFor(provider string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Provider == provider {
			return p, true
		}
	}
	return Preset{}, false
}
