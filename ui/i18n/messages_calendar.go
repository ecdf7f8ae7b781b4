package i18n

// calendarMessages are the words of `magpie calendar …` and the calendar
// view, and the English names of Chinese calendar terms (the zh-CN side
// keeps the standard names the lunar package returns).
func calendarMessages() map[string]entry {
	m := map[string]entry{
		"cli.calendar.short": {"CalDAV 日历：同步、日程、新建事件（含农历）", "CalDAV calendars: sync, agenda, new events (with the Chinese lunar calendar)"},
		"cli.calendar.long": {
			"绑定邮箱服务商的 CalDAV 日历（飞书、QQ、网易、阿里云等），同步到本地，离线也能查看。\n账户的 CalDAV 地址可在 magpie account add 时用 --caldav 指定，否则按服务商预设或 DNS（RFC 6764）自动发现。\n飞书等需要单独生成的 CalDAV 密码：用 magpie calendar password ACCOUNT 保存到系统钥匙串。",
			"Binds your mail provider's CalDAV calendars (Feishu, QQ, NetEase, Aliyun…) and syncs them locally so they open offline.\nAn account's CalDAV address can be given with --caldav at magpie account add; otherwise the provider preset or DNS (RFC 6764) finds it.\nProviders with a separate CalDAV password (Feishu): store it in the OS keyring with magpie calendar password ACCOUNT.",
		},
		"cli.calendar.list.short":     {"列出已同步的日历（不联网）", "List synced calendars (offline)"},
		"cli.calendar.sync.short":     {"发现并同步日历", "Discover and sync calendars"},
		"cli.calendar.sync.long":      {"连接 CalDAV 服务器，发现日历（名称、颜色、只读），并把事件同步到本地（支持 sync-collection 时只取变化）。\n不指定账户时同步所有绑定了日历的账户。", "Connects to the CalDAV server, discovers calendars (name, colour, read-only) and syncs their events locally (only changes when the server offers sync-collection).\nWithout an account, every account with a calendar binding is synced."},
		"cli.calendar.password.short": {"保存单独的 CalDAV 密码（如飞书）到钥匙串", "Store a separate CalDAV password (e.g. Feishu) in the keyring"},
		"cli.calendar.password.long":  {"从终端（或标准输入的第一行）读取 CalDAV 专用密码，保存到系统钥匙串，并设置该账户使用它。", "Reads the CalDAV password from the terminal (or the first line of standard input), stores it in the OS keyring and sets the account to use it."},
		"cli.calendar.agenda.short":   {"列出日程（离线，含重复事件与农历）", "List upcoming events (offline, recurrences expanded, lunar dates)"},
		"cli.calendar.agenda.long":    {"从本地缓存列出从 --from 起 --days 天内的事件，展开重复事件。中文界面默认显示农历、节气和法定节假日（休/班），--lunar off 关闭；英文界面用 --lunar on 打开。\n--json 输出每个事件的日历、UID、标题、开始、结束、是否全天和农历日期。", "Lists events from the local cache for --days days from --from, recurrences expanded. In Chinese the lunar date, solar terms and official holidays (休 off / 班 workday) show by default (--lunar off hides them); in English turn them on with --lunar on.\n--json prints each event's calendar, UID, title, start, end, all-day flag and lunar date."},
		"cli.calendar.add.short":      {"新建事件", "Create an event"},
		"cli.calendar.add.long":       {"在指定账户的日历中新建事件并写到服务器（带 VTIMEZONE 时区定义）。时间按本机时区或 --tz 解释。", "Creates an event in the account's calendar on the server (written with its VTIMEZONE). Times are read in the local zone or --tz."},
		"cli.calendar.add.example": {
			"  magpie calendar add --account work --calendar 工作 --title 周会 --start \"2026-03-02 10:00\" --rrule \"FREQ=WEEKLY\"\n  magpie calendar add --account work --calendar 工作 --title 年假 --start 2026-02-24 --all-day",
			"  magpie calendar add --account work --calendar Work --title Standup --start \"2026-03-02 10:00\" --rrule \"FREQ=WEEKLY\"\n  magpie calendar add --account work --calendar Work --title Leave --start 2026-02-24 --all-day",
		},
		"cli.flag.cal_from":     {"起始日期 YYYY-MM-DD（默认今天）", "first day, YYYY-MM-DD (default: today)"},
		"cli.flag.cal_days":     {"天数（默认 7）", "number of days (default 7)"},
		"cli.flag.cal_lunar":    {"农历显示：on 或 off（默认：中文开，英文关）", "lunar dates: on or off (default: on in Chinese, off in English)"},
		"cli.flag.cal_account":  {"账户名", "account name"},
		"cli.flag.cal_calendar": {"日历名称（或地址）", "calendar name (or URL)"},
		"cli.flag.cal_title":    {"标题", "title"},
		"cli.flag.cal_start":    {"开始时间 \"YYYY-MM-DD HH:MM\"（全天事件用 YYYY-MM-DD）", "start, \"YYYY-MM-DD HH:MM\" (YYYY-MM-DD for all-day)"},
		"cli.flag.cal_end":      {"结束时间（默认开始后 --duration）", "end (default: start plus --duration)"},
		"cli.flag.cal_duration": {"时长（默认 1h）", "length (default 1h)"},
		"cli.flag.cal_all_day":  {"全天事件", "all-day event"},
		"cli.flag.cal_rrule":    {"重复规则（RFC 5545 RRULE），如 FREQ=WEEKLY;BYDAY=MO", "repeat rule (RFC 5545 RRULE), e.g. FREQ=WEEKLY;BYDAY=MO"},
		"cli.flag.cal_location": {"地点", "location"},
		"cli.flag.cal_tz":       {"时区（IANA 或 Windows 名称，默认本机）", "time zone (IANA or Windows name; default: local)"},
		"cli.flag.caldav":       {"CalDAV 地址（服务器、主体或日历集合），默认自动发现", "CalDAV URL (server, principal or calendar collection); default: discovered"},
		"cli.flag.caldav_user":  {"CalDAV 用户名（默认同邮箱登录名）", "CalDAV user name (default: the mail login)"},
		"cli.flag.caldav_pwcmd": {"输出 CalDAV 密码的命令（默认同邮箱密码）", "command printing the CalDAV password (default: the mail password)"},

		"calendar.no_accounts":       {"没有绑定日历的账户。用 magpie account add … --caldav URL 添加，或使用带日历预设的服务商（飞书、QQ、网易、阿里云）。", "No account has a calendar. Add one with magpie account add … --caldav URL, or use a provider with a calendar preset (Feishu, QQ, NetEase, Aliyun)."},
		"calendar.none_cached":       {"还没有同步过日历。请运行 magpie calendar sync。", "No calendars synced yet. Run magpie calendar sync."},
		"calendar.list_line":         {"%s  %s  %s%s  %s", "%s  %s  %s%s  %s"},
		"calendar.read_only":         {"[只读]", "[read-only]"},
		"calendar.hidden":            {"[已隐藏]", "[hidden]"},
		"calendar.sync_line":         {"%s / %s：获取 %d，删除 %d（%s）", "%s / %s: %d fetched, %d deleted (%s)"},
		"calendar.synced":            {"日历已同步。", "Calendars synced."},
		"calendar.unverified":        {"注意：服务商 %s 的 CalDAV 地址未经验证，可能需要手动填写 --caldav。", "Note: the CalDAV address of provider %s is unverified; you may need to give --caldav by hand."},
		"calendar.err_auth":          {"%s：CalDAV 服务器拒绝了用户名或密码。请检查客户端专用密码，或用 magpie calendar password 保存单独的 CalDAV 密码。", "%s: the CalDAV server refused the user name or password. Check the client password, or store a separate CalDAV password with magpie calendar password."},
		"calendar.err_auth_separate": {"%s：CalDAV 服务器拒绝了密码。该服务商的 CalDAV 使用单独生成的密码（飞书：在电脑客户端「设置 → 日历 → CalDAV 同步」生成），请用 magpie calendar password %s 保存。", "%s: the CalDAV server refused the password. This provider uses a separately generated CalDAV password (Feishu: desktop client, Settings → Calendar → CalDAV sync); store it with magpie calendar password %s."},
		"calendar.err_none":          {"%s：服务器上没有找到日历。有的服务商（如 QQ）不列出日历，请在网页版日历设置中复制 CalDAV 日历地址，用 --caldav 指定。", "%s: no calendar found on the server. Some providers (QQ) list none: copy the calendar's CalDAV address from the web calendar's settings and give it with --caldav."},
		"calendar.err_password":      {"%s：无法取得 CalDAV 密码（%s）。", "%s: cannot get the CalDAV password (%s)."},
		"calendar.err_read_only":     {"这个日历是只读的，不能写入。请选择另一个日历。", "This calendar is read-only. Choose another calendar."},
		"calendar.err_conflict":      {"该事件已在别处被修改。两个版本都已保留，请查看后再改。", "The event was changed elsewhere meanwhile. Both versions are kept; look at them and edit again."},
		"calendar.err_other":         {"%s：日历操作失败：%s。请检查网络后重试。", "%s: the calendar operation failed: %s. Check the network and try again."},
		"calendar.password_prompt":   {"%s 的 CalDAV 密码：", "CalDAV password for %s: "},
		"calendar.password_empty":    {"没有输入密码。", "No password given."},
		"calendar.password_saved":    {"已将 %s 的 CalDAV 密码保存到钥匙串。", "Stored the CalDAV password of %s in the keyring."},
		"calendar.agenda_empty":      {"这段时间没有事件。", "No events in this period."},
		"calendar.all_day":           {"全天", "all day"},
		"calendar.conflict_copy":     {"（冲突副本：我的版本）", "(conflict copy: my version)"},
		"calendar.badge_off":         {"休", "off"},
		"calendar.badge_work":        {"班", "workday"},
		"calendar.added":             {"已新建事件「%s」（%s）。", "Created \"%s\" (%s)."},
		"calendar.not_found":         {"账户 %[2]s 中没有名为「%[1]s」的日历。用 magpie calendar list 查看。", "No calendar named \"%[1]s\" in account %[2]s. See magpie calendar list."},
		"calendar.weekday.mon":       {"周一", "Mon"},
		"calendar.weekday.tue":       {"周二", "Tue"},
		"calendar.weekday.wed":       {"周三", "Wed"},
		"calendar.weekday.thu":       {"周四", "Thu"},
		"calendar.weekday.fri":       {"周五", "Fri"},
		"calendar.weekday.sat":       {"周六", "Sat"},
		"calendar.weekday.sun":       {"周日", "Sun"},
	}
	// English names of solar terms and festivals; zh-CN keeps the standard name.
	en := map[string]string{
		"小寒": "Minor Cold", "大寒": "Major Cold", "立春": "Start of Spring", "雨水": "Rain Water", "惊蛰": "Insects Awaken",
		"春分": "Spring Equinox", "清明": "Qingming", "谷雨": "Grain Rain", "立夏": "Start of Summer", "小满": "Grain Buds",
		"芒种": "Grain in Ear", "夏至": "Summer Solstice", "小暑": "Minor Heat", "大暑": "Major Heat", "立秋": "Start of Autumn",
		"处暑": "End of Heat", "白露": "White Dew", "秋分": "Autumn Equinox", "寒露": "Cold Dew", "霜降": "Frost Descent",
		"立冬": "Start of Winter", "小雪": "Minor Snow", "大雪": "Major Snow", "冬至": "Winter Solstice",
		"除夕": "New Year's Eve", "春节": "Spring Festival", "元宵节": "Lantern Festival", "龙抬头": "Dragon Head",
		"端午节": "Dragon Boat", "七夕节": "Qixi", "中元节": "Ghost Festival", "中秋节": "Mid-Autumn", "重阳节": "Double Ninth",
		"腊八节": "Laba", "小年": "Little New Year", "清明节": "Qingming Festival",
		"元旦": "New Year's Day", "妇女节": "Women's Day", "植树节": "Arbor Day", "劳动节": "Labour Day", "青年节": "Youth Day",
		"儿童节": "Children's Day", "建党节": "CPC Founding Day", "建军节": "Army Day", "教师节": "Teachers' Day", "国庆节": "National Day",
	}
	for zh, e := range en {
		m["lunar.name."+zh] = entry{zh, e}
	}
	return m
}
