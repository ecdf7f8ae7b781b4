package i18n

// listMessages are the words of the message list's orders and thread view
// (ui/app, ui/components/msglist) and of the folder picker that saves an
// attachment (ui/components/dirpicker).
func listMessages() map[string]entry {
	return map[string]entry{
		"tui.key.toggle_thread": {"展开/收起会话", "expand/collapse thread"},
		"tui.picker.sort":       {"按什么排序？", "Sort by?"},
		"tui.sort.date_desc":    {"日期：最新的在前", "date: newest first"},
		"tui.sort.date_asc":     {"日期：最早的在前", "date: oldest first"},
		"tui.sort.sender_asc":   {"发件人：A 到 Z", "sender: A to Z"},
		"tui.sort.sender_desc":  {"发件人：Z 到 A", "sender: Z to A"},
		"tui.sort.subject_asc":  {"主题：A 到 Z", "subject: A to Z"},
		"tui.sort.subject_desc": {"主题：Z 到 A", "subject: Z to A"},
		"tui.save.browse":       {"Tab 补全，上下键选择，回车进入或保存，Esc 取消", "Tab: complete, Enter: open/save, Esc: cancel"},
	}
}
