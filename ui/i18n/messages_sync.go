package i18n

// syncMessages are the words of `magpie sync`, `status` and `search`.
func syncMessages() map[string]entry {
	return map[string]entry{
		"cli.sync.short": {"把邮件同步到本地（全部文件夹，离线可读）", "Sync mail to the local store (every folder, readable offline)"},
		"cli.sync.long": {
			"连接各账户的 IMAP 服务器，把所有文件夹的邮件（先邮件头，从新到旧，再按 --bodies 下载正文）、标记和删除同步到本地邮件库，并发送离线时排队的操作；发件箱里到期的邮件（离线或定时发送的）也一并发出。\n不指定账户时同步全部账户，各账户并行。\n加 --once 同步一遍、为搜索建好索引后退出；否则同步后继续运行，通过 IDLE 与定时检查接收新邮件，按 Ctrl-C 停止。\n有账户失败时以状态码 1 退出，并说明原因和解决办法。",
			"Connects to each account's IMAP server and brings every folder into the local store: headers first, newest first, then bodies as --bodies says; flags and deletions too, and sends operations queued while offline; mail due in the outbox (queued offline or scheduled) leaves too.\nWithout an account name every account is synced, in parallel.\nWith --once it makes one pass, indexes the new mail for search, and exits; otherwise it keeps running, getting new mail through IDLE and polling, until Ctrl-C.\nIf an account fails it says why and what to do, and exits 1.",
		},
		"cli.sync.example": {
			"  magpie sync --once\n  magpie sync work --bodies recent:30d\n  magpie sync work sales",
			"  magpie sync --once\n  magpie sync work --bodies recent:30d\n  magpie sync work sales",
		},
		"cli.flag.once":   {"同步一遍后退出（不保持连接）", "make one pass and exit (do not stay connected)"},
		"cli.flag.bodies": {"本次下载哪些正文：all（全部）、none（仅邮件头）或 recent:30d（最近 30 天）；默认按账户设置（bodies，未设置即全部）", "which bodies to download this time: all, none (headers only) or recent:30d (the last 30 days); default: the account's bodies setting (all when unset)"},

		"sync.no_accounts":    {"还没有账户。请先用 magpie account add 添加一个。", "There are no accounts yet. Add one with magpie account add."},
		"sync.running":        {"正在同步，按 Ctrl-C 停止。", "Syncing; press Ctrl-C to stop."},
		"sync.progress":       {"%s %s %d/%d", "%s %s %d/%d"},
		"sync.phase.headers":  {"邮件头", "headers"},
		"sync.phase.flags":    {"标记", "flags"},
		"sync.phase.bodies":   {"正文", "bodies"},
		"sync.folder_line":    {"%s %s：新增 %d，更新 %d，删除 %d，正文 %d（共 %d 封，未读 %d）", "%s %s: %d new, %d updated, %d expunged, %d bodies (total %d, unread %d)"},
		"sync.folder_reset":   {"（服务器重建了该文件夹的编号，已重新列出）", "(the server renumbered this folder; it was listed again)"},
		"sync.new_mail":       {"%s %s：%d 封新邮件", "%s %s: %d new message(s)"},
		"sync.offline":        {"%s：连接已断开，稍后自动重连。", "%s: disconnected; reconnecting shortly."},
		"sync.online":         {"%s：已重新连接。", "%s: connected again."},
		"sync.op_failed":      {"%s：一项离线操作被服务器拒绝：%s", "%s: the server refused an offline operation: %s"},
		"sync.folder_failed":  {"✗ %s 的文件夹 %s 同步失败。", "✗ %s: folder %s failed to sync."},
		"sync.account_failed": {"✗ 账户 %s 同步失败。", "✗ Account %s failed to sync."},
		"sync.interrupted":    {"账户 %s 的同步被中断，未完成。", "The sync of %s was interrupted before it finished."},
		"sync.summary":        {"%s：%d 个文件夹，新增 %d，更新 %d，删除 %d，正文 %d。", "%s: %d folder(s), %d new, %d updated, %d expunged, %d bodies."},
		"sync.summary_failed": {"%s：%d 个文件夹失败，见上文。", "%s: %d folder(s) failed, see above."},
		"sync.err_corrupt":    {"本地邮件库中的数据已损坏。请备份后删除邮件库文件，再运行 magpie sync 重新下载。", "The local mail store holds damaged data. Back it up, delete the store file and run magpie sync to download again."},
		"sync.err_store":      {"写入本地邮件库失败（%s）。请检查磁盘空间和权限。", "Writing the local mail store failed (%s). Check disk space and permissions."},
		"sync.err_other":      {"出错了：%s。稍后再试；如反复出现，请用 --trace FILE 记录协议往来后报告问题。", "Something went wrong: %s. Try again later; if it keeps happening, record the exchange with --trace FILE and report it."},

		"store.open_failed": {"无法打开本地邮件库 %s：%s", "cannot open the local mail store %s: %s"},
		"store.too_new":     {"本地邮件库 %s 由更新版本的 Magpie 写入，当前版本无法读取。请升级 Magpie。", "The local mail store %s was written by a newer Magpie than this one. Upgrade Magpie."},
		"store.read_failed": {"读取本地邮件库失败：%s", "reading the local mail store failed: %s"},

		"cli.status.short": {"显示本地邮件库中各文件夹的状态（不联网）", "Show each folder's state in the local store (offline)"},
		"cli.status.long": {
			"列出每个账户的文件夹：用途、邮件数、未读数和上次同步时间。只读本地邮件库，从不联网。\n--json 输出数组，每项为 {account, folder, role, messages, unseen, last_sync}；last_sync 为 RFC 3339 时间或 null；尚未同步的账户为一项，其 folder 与 last_sync 为 null。",
			"Lists each account's folders: role, messages, unread and the last sync time. It reads the local store only and never connects.\n--json prints an array of {account, folder, role, messages, unseen, last_sync}; last_sync is an RFC 3339 time or null; an account never synced is one item with folder and last_sync null.",
		},
		"status.col.account":   {"账户", "ACCOUNT"},
		"status.col.last_sync": {"上次同步", "LAST SYNC"},
		"status.never":         {"从未", "never"},
		"status.col.offline":   {"可离线阅读", "OFFLINE"},
		"status.conflicts":     {"账户 %s 有 %d 项离线操作被服务器拒绝（邮件已不在原处）；本地内容未丢失，打开 magpie 可查看。", "Account %s has %d offline changes the server refused (the mail was no longer there); nothing local was lost. Open magpie to see them."},
		"status.never_synced":  {"%s：从未同步——请运行 magpie sync", "%s: never synced — run magpie sync"},

		"cli.search.short": {"搜索本地邮件（不联网）", "Search the local mail (offline)"},
		"cli.search.long": {
			"在本地邮件库中搜索，从新到旧列出。第一个参数若是账户名则只搜该账户，否则搜索全部账户。\n查询语法（各条件同时满足）：\n  from:地址  to:地址  subject:文字   在发件人、收件人（含抄送）、主题中\n  has:attachment                    有附件\n  is:unread  is:read  is:flagged    未读、已读、星标\n  after:YYYY-MM-DD  before:YYYY-MM-DD\n  folder:名称                       文件夹名或用途（inbox、sent…）\n  词语  中文  \"带空格的短语\"         在主题、地址或正文中（中文无需分词）\n--json 输出数组，每项为 {account, folder, date, from{name,address}, subject, unread, flagged, has_attachment, message_id}。",
			"Searches the local store and lists matches newest first. If the first argument is an account name only that account is searched, otherwise all are.\nQuery language (every condition must hold):\n  from:ADDR  to:ADDR  subject:TEXT   in sender, recipients (Cc too), subject\n  has:attachment\n  is:unread  is:read  is:flagged\n  after:YYYY-MM-DD  before:YYYY-MM-DD\n  folder:NAME                        folder name or role (inbox, sent…)\n  word  中文  \"a phrase\"             in subject, addresses or body (Chinese needs no spaces)\n--json prints an array of {account, folder, date, from{name,address}, subject, unread, flagged, has_attachment, message_id}.",
		},
		"cli.search.example": {
			"  magpie search 搬家\n  magpie search work from:wang@example.com has:attachment after:2026-01-01\n  magpie search 'subject:\"季度报告\"' is:unread --json",
			"  magpie search invoice\n  magpie search work from:wang@example.com has:attachment after:2026-01-01\n  magpie search 'subject:\"quarterly report\"' is:unread --json",
		},
		"cli.flag.limit":     {"最多列出几封（默认 %d）", "list at most this many messages (default %d)"},
		"search.no_store":    {"本地还没有邮件。请先运行 magpie sync。", "There is no mail stored locally yet. Run magpie sync first."},
		"search.none":        {"没有找到匹配的邮件。", "No messages match."},
		"search.col.date":    {"日期", "DATE"},
		"search.col.from":    {"发件人", "FROM"},
		"search.col.subject": {"主题", "SUBJECT"},
		"search.col.folder":  {"文件夹", "FOLDER"},
		"search.col.account": {"账户", "ACCOUNT"},
		"search.syntax":      {"查询语法错误，第 %d 个字符处：%s", "query syntax error at character %d: %s"},
		"search.err.quote":   {"引号没有闭合", "the quote is not closed"},
		"search.err.value":   {"%s 后面缺少内容", "%s needs a value"},
		"search.err.has":     {"has: 只支持 has:attachment", "has: knows only has:attachment"},
		"search.err.is":      {"is: 只支持 unread、read、flagged", "is: knows only unread, read and flagged"},
		"search.err.date":    {"%s 的日期应写成 YYYY-MM-DD", "%s wants a date as YYYY-MM-DD"},
	}
}
