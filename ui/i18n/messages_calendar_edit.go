package i18n

// calendarEditMessages are the words of the event editor, event actions in
// the calendar view, invitations and reminders.
func calendarEditMessages() map[string]entry {
	return map[string]entry{
		"tui.evedit.new":               {"新建事件", "New event"},
		"tui.evedit.edit":              {"编辑事件", "Edit event"},
		"tui.evedit.title":             {"标题", "Title"},
		"tui.evedit.start":             {"开始", "Start"},
		"tui.evedit.end":               {"结束", "End"},
		"tui.evedit.all_day":           {"全天", "All day"},
		"tui.evedit.location":          {"地点", "Location"},
		"tui.evedit.description":       {"说明", "Description"},
		"tui.evedit.calendar":          {"日历", "Calendar"},
		"tui.evedit.attendees":         {"参与人", "Attendees"},
		"tui.evedit.reminder":          {"提醒", "Reminder"},
		"tui.evedit.repeat":            {"重复", "Repeat"},
		"tui.evedit.rule":              {"自定义规则", "Custom rule"},
		"tui.evedit.yes":               {"是", "yes"},
		"tui.evedit.no":                {"否", "no"},
		"tui.evedit.no_calendar":       {"（没有可写的日历）", "(no writable calendar)"},
		"tui.evedit.reminder.none":     {"不提醒", "none"},
		"tui.evedit.reminder.at_start": {"开始时", "at start"},
		"tui.evedit.reminder.minutes":  {"提前 %d 分钟", "%d min before"},
		"tui.evedit.reminder.hours":    {"提前 %d 小时", "%d h before"},
		"tui.evedit.reminder.days":     {"提前 %d 天", "%d day(s) before"},
		"tui.evedit.repeat.none":       {"不重复", "never"},
		"tui.evedit.repeat.daily":      {"每天", "daily"},
		"tui.evedit.repeat.weekly":     {"每周", "weekly"},
		"tui.evedit.repeat.monthly":    {"每月", "monthly"},
		"tui.evedit.repeat.yearly":     {"每年", "yearly"},
		"tui.evedit.repeat.custom":     {"自定义（RRULE）", "custom (RRULE)"},
		"tui.evedit.err_start":         {"开始时间格式应为 %s。", "Start should look like %s."},
		"tui.evedit.err_end":           {"结束时间格式应为 %s。", "End should look like %s."},
		"tui.evedit.err_order":         {"结束不能早于开始。", "The end is before the start."},
		"tui.evedit.err_attendee":      {"参与人“%s”不是邮件地址。", "Attendee \"%s\" is not a mail address."},
		"tui.evedit.err_rule":          {"自定义重复规则无效，例如 FREQ=WEEKLY;BYDAY=MO,WE。", "The custom rule is not valid; e.g. FREQ=WEEKLY;BYDAY=MO,WE."},
		"tui.evedit.scope":             {"这是重复事件，修改：1 仅此一次  2 此次及以后  3 全部  esc 返回", "A repeating event. Change: 1 this one  2 this and following  3 all  esc back"},
		"tui.evedit.hint":              {"tab 下一项  左/右 切换选项  ctrl+s 保存  esc 取消", "tab next field  left/right choose  ctrl+s save  esc cancel"},
		"tui.evedit.key.next":          {"下一项", "next field"},
		"tui.evedit.key.prev":          {"上一项", "previous field"},
		"tui.evedit.key.choose":        {"切换选项", "choose"},
		"tui.evedit.key.save":          {"保存", "save"},
		"tui.evedit.key.cancel":        {"取消", "cancel"},
	}
}

// calendarActionMessages are the calendar view's event actions.
func calendarActionMessages() map[string]entry {
	return map[string]entry{
		"tui.cal.key.new":          {"新建事件", "new event"},
		"tui.cal.key.edit":         {"编辑选中的事件", "edit the selected event"},
		"tui.cal.key.delete":       {"删除选中的事件", "delete the selected event"},
		"tui.cal.key.select":       {"选择当天的下一个事件", "select the day's next event"},
		"tui.cal.key.resolve":      {"处理冲突副本（保留我的/服务器的）", "settle a conflict copy (keep mine / the server's)"},
		"tui.cal.ask_delete":       {"删除“%s”？y 删除  n 取消", "Delete \"%s\"? y delete  n cancel"},
		"tui.cal.ask_delete_scope": {"重复事件，删除：1 仅此一次  2 此次及以后  3 全部  esc 取消", "A repeating event. Delete: 1 this one  2 this and following  3 all  esc cancel"},
		"tui.cal.ask_resolve":      {"冲突副本：m 保留我的版本（覆盖服务器）  s 保留服务器的版本  esc 取消", "Conflict copy: m keep mine (over the server's)  s keep the server's  esc cancel"},
		"tui.cal.saved":            {"事件已保存到服务器。", "Event saved on the server."},
		"tui.cal.deleted":          {"事件已删除。", "Event deleted."},
		"tui.cal.queued":           {"暂时连不上日历服务器：修改已保存在本地，联网后自动同步。", "The calendar server cannot be reached: the change is kept here and sent when online."},
		"tui.cal.conflict":         {"服务器上的事件已被别人修改：两个版本都保留了（带 ! 的是你的），按 c 处理。", "The event changed on the server meanwhile: both versions are kept (yours has a !); press c to settle."},
		"tui.cal.write_failed":     {"日历写入失败：%s", "Writing the calendar failed: %s"},
		"tui.cal.read_only":        {"这个日历是只读的。", "This calendar is read-only."},
		"tui.cal.flushed":          {"离线时保存的日历修改已发送。", "Calendar changes kept offline have been sent."},
		"tui.cal.resolved":         {"冲突已处理。", "Conflict settled."},
		"tui.cal.no_binding":       {"账户“%s”没有可用的日历连接。", "Account \"%s\" has no calendar connection."},
		"tui.cal.invites_sent":     {"已给 %d 位参与人发送邀请。", "Invitations sent to %d attendee(s)."},
	}
}

// inviteMessages are the words of invitations (iMIP).
func inviteMessages() map[string]entry {
	return map[string]entry{
		"tui.cal.reminder":                   {"提醒：%s %s", "Reminder: %s %s"},
		"tui.cal.reminder_title":             {"Magpie 日程提醒", "Magpie reminder"},
		"tui.invite.key":                     {"答复日历邀请", "answer an invitation"},
		"tui.invite.request":                 {"日历邀请：%s", "Calendar invitation: %s"},
		"tui.invite.cancel":                  {"会议已取消：%s", "Event cancelled: %s"},
		"tui.invite.reply":                   {"邀请回复：%s", "Reply to your invitation: %s"},
		"tui.invite.when":                    {"时间：%s（%s）", "When: %s (%s)"},
		"tui.invite.where":                   {"地点：%s", "Where: %s"},
		"tui.invite.organizer":               {"组织者：%s", "Organizer: %s"},
		"tui.invite.attendees":               {"参与人：%s", "Attendees: %s"},
		"tui.invite.conflicts":               {"与你的日程冲突：%s", "Conflicts with: %s"},
		"tui.invite.no_conflicts":            {"与你的日历没有冲突。", "No conflict with your calendars."},
		"tui.invite.hint_request":            {"按 %s 答复：接受、暂定或拒绝。", "Press %s to answer: accept, tentative or decline."},
		"tui.invite.hint_cancel":             {"按 %s 从日历中删除。", "Press %s to remove it from your calendar."},
		"tui.invite.hint_reply":              {"按 %s 更新参与人的状态。", "Press %s to update the attendee's status."},
		"tui.invite.ps.needs-action":         {"待回复", "no answer yet"},
		"tui.invite.ps.accepted":             {"已接受", "accepted"},
		"tui.invite.ps.tentative":            {"暂定", "tentative"},
		"tui.invite.ps.declined":             {"已拒绝", "declined"},
		"tui.invite.ps.delegated":            {"已委托", "delegated"},
		"tui.invite.answer_title":            {"答复“%s”", "Answer \"%s\""},
		"tui.invite.answer.accepted":         {"接受", "Accept"},
		"tui.invite.answer.tentative":        {"暂定", "Tentative"},
		"tui.invite.answer.declined":         {"拒绝", "Decline"},
		"tui.invite.answer.remove":           {"从日历中删除", "Remove from my calendar"},
		"tui.invite.answer.apply":            {"更新参与人状态", "Update the attendee's status"},
		"tui.invite.reply_subject.accepted":  {"已接受：%s", "Accepted: %s"},
		"tui.invite.reply_subject.tentative": {"暂定：%s", "Tentative: %s"},
		"tui.invite.reply_subject.declined":  {"已拒绝：%s", "Declined: %s"},
		"tui.invite.reply_body.accepted":     {"%s 已接受邀请：%s", "%s has accepted: %s"},
		"tui.invite.reply_body.tentative":    {"%s 暂定参加：%s", "%s might attend: %s"},
		"tui.invite.reply_body.declined":     {"%s 已拒绝邀请：%s", "%s has declined: %s"},
		"tui.invite.done.accepted":           {"已接受，回复已放入发件箱。", "Accepted; the reply is in the outbox."},
		"tui.invite.done.tentative":          {"已暂定，回复已放入发件箱。", "Tentative; the reply is in the outbox."},
		"tui.invite.done.declined":           {"已拒绝，回复已放入发件箱。", "Declined; the reply is in the outbox."},
		"tui.invite.done.removed":            {"已从日历中删除。", "Removed from your calendar."},
		"tui.invite.done.applied":            {"参与人状态已更新。", "The attendee's status is updated."},
		"tui.invite.done.not_in_calendar":    {"你的日历里没有这个事件。", "This event is not in your calendars."},
		"tui.invite.failed":                  {"答复邀请失败：%s", "Answering the invitation failed: %s"},
		"tui.invite.subject":                 {"邀请：%s", "Invitation: %s"},
		"tui.invite.body":                    {"邀请你参加：%s\n时间：%s\n地点：%s\n\n请在日历程序中接受或拒绝。", "You are invited to: %s\nWhen: %s\nWhere: %s\n\nAccept or decline in your calendar program."},
	}
}

// calendarCLIEditMessages are the words of magpie calendar conflicts and
// resolve.
func calendarCLIEditMessages() map[string]entry {
	return map[string]entry{
		"cli.calendar.conflicts.short": {"列出冲突副本和尚未发送的日历修改（不联网）", "List conflict copies and calendar changes not yet sent (offline)"},
		"cli.calendar.conflicts.long": {"写入日历时若服务器上的事件已被别人修改，两个版本都会保留：服务器的版本和你的冲突副本。\n这里列出冲突副本（用 magpie calendar resolve 处理）和离线时保存、等待发送的修改（下次 magpie calendar sync 时发送）。",
			"When a calendar write races another client's change, both versions are kept: the server's and your conflict copy.\nThis lists conflict copies (settle them with magpie calendar resolve) and changes saved offline that wait to be sent (by the next magpie calendar sync)."},
		"cli.calendar.resolve.short":  {"处理冲突副本：保留我的或服务器的版本", "Settle a conflict copy: keep mine or the server's"},
		"cli.calendar.resolve.long":   {"--keep mine 用你的版本覆盖服务器上的版本；--keep theirs 删除你的副本，保留服务器的版本。ID 见 magpie calendar conflicts。", "--keep mine writes your version over the server's; --keep theirs drops your copy and keeps the server's. The ID is the one magpie calendar conflicts shows."},
		"cli.flag.cal_keep":           {"mine（我的）或 theirs（服务器的）", "mine or theirs (the server's)"},
		"calendar.no_conflicts":       {"没有冲突副本，也没有等待发送的修改。", "No conflict copies and no changes waiting to be sent."},
		"calendar.conflict_line":      {"%d  %s  %s / %s  %s  %s", "%d  %s  %s / %s  %s  %s"},
		"calendar.kind_conflict":      {"冲突副本", "conflict copy"},
		"calendar.kind_queued":        {"待发送", "queued"},
		"calendar.kind_queued_delete": {"待删除", "queued delete"},
		"calendar.no_such_conflict":   {"没有编号为 %d 的冲突副本。用 magpie calendar conflicts 查看。", "No conflict copy %d. See magpie calendar conflicts."},
		"calendar.resolved":           {"冲突已处理。", "Conflict settled."},
		"calendar.resolved_queued":    {"冲突已处理；连不上服务器，你的版本会在下次同步时发送。", "Conflict settled; the server cannot be reached, your version is sent by the next sync."},
	}
}
