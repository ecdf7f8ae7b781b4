package i18n

// migrateMessages are the words of `magpie migrate` (邮箱搬家).
func migrateMessages() map[string]entry {
	return map[string]entry{
		"cli.migrate.short": {"把一个邮箱的全部邮件搬到另一个邮箱（邮箱搬家）", "Move all mail from one mailbox to another (mailbox migration)"},
		"cli.migrate.long": {
			"把 --from 账户的邮件逐封原样复制到 --to 账户：内容一字不差，保留已读、星标等标记和关键字，以及收信时间。旧邮箱不会被改动（只读打开，不标记已读，不删除）。\n已发送、草稿箱、已删除、垃圾邮件等文件夹对应到新邮箱里同样用途的文件夹，不论名称；其他文件夹保持层级。\n进度记录在数据目录的搬家日志里：中途断开或按 Ctrl-C 停止后，再运行同一命令会从停下的地方继续，已搬过的邮件不会重复。再次运行也只搬新邮件。\n结束时逐个文件夹核对新旧两边的邮件是否一致，并把报告另存为 JSON。\n全部核对一致时以状态码 0 退出；有邮件未搬成功时以 1 退出，并说明是哪些邮件、原因是什么。",
			"Copies every message of the --from account to the --to account, byte for byte, with its flags (read, flagged…), keywords and received date. The old mailbox is never changed (opened read-only: nothing is marked read or deleted).\nSent, Drafts, Trash, Junk… go to the new mailbox's folders of the same use, whatever their names; other folders keep their tree.\nProgress is kept in a journal in the data directory: after a dropped connection or Ctrl-C, running the same command again continues where it stopped and never copies a message twice. Running it again later copies only new mail.\nAt the end every folder is compared on both sides, and the report is also saved as JSON.\nExits 0 when every folder matches; 1 when some messages could not be moved, saying which and why.",
		},
		"cli.migrate.example": {
			"  magpie migrate --from 旧邮箱 --to 新邮箱 --dry-run\n  magpie migrate --from old --to new\n  magpie migrate --from old --to new --folders '客户邮件/*' --exclude 垃圾邮件 --since 2024-01-01",
			"  magpie migrate --from old --to new --dry-run\n  magpie migrate --from old --to new\n  magpie migrate --from old --to new --folders 'Clients/*' --exclude Junk --since 2024-01-01",
		},
		"cli.flag.migrate_from":    {"搬出邮件的账户（旧邮箱，不会被改动）", "the account to move mail from (the old mailbox; never changed)"},
		"cli.flag.migrate_to":      {"搬入邮件的账户（新邮箱）", "the account to move mail to (the new mailbox)"},
		"cli.flag.migrate_folders": {"只搬这些文件夹（通配符，层级用 /，可重复；包括其子文件夹）", "move only these folders (glob, / between levels, repeatable; subfolders included)"},
		"cli.flag.migrate_exclude": {"不搬这些文件夹（通配符，可重复；包括其子文件夹）", "leave these folders out (glob, repeatable; subfolders included)"},
		"cli.flag.migrate_since":   {"只搬这一天（YYYY-MM-DD）及以后收到的邮件", "move only mail received on or after this day (YYYY-MM-DD)"},
		"cli.flag.migrate_jobs":    {"同时搬几个（每个各用新旧邮箱一条连接）；默认 4，不超过服务商允许的连接数", "how many workers copy at once (each with one connection per side); default 4, within the provider's connection limit"},
		"cli.flag.migrate_dry_run": {"只显示计划（文件夹对应、邮件数、大小），不搬", "only show the plan (folder mapping, counts, sizes); move nothing"},

		"migrate.planning":            {"正在读取 %s 和 %s 的文件夹……", "Reading the folders of %s and %s…"},
		"migrate.plan_line":           {"  %s → %s：%d 封，%s", "  %s → %s: %d message(s), %s"},
		"migrate.role":                {"（%s）", "(%s)"},
		"migrate.will_create":         {"［将新建］", "[will be created]"},
		"migrate.plan_total":          {"共 %d 个文件夹，%d 封邮件，%s。", "%d folder(s), %d message(s), %s in all."},
		"migrate.progress":            {"%s → %s：%d/%d（新搬 %d，已存在 %d，失败 %d）", "%s → %s: %d/%d (%d copied, %d already there, %d failed)"},
		"migrate.folder_line":         {"%s %s → %s：旧 %d 封，新 %d 封；本次搬 %d，已存在 %d，之前已搬 %d，失败 %d", "%s %s → %s: %d on the old side, %d on the new; %d copied, %d already there, %d earlier, %d failed"},
		"migrate.verdict.ok":          {"✓", "✓"},
		"migrate.verdict.incomplete":  {"✗", "✗"},
		"migrate.verdict.error":       {"✗", "✗"},
		"migrate.verdict.interrupted": {"…", "…"},
		"migrate.missing_extra":       {"新邮箱缺少 %d 封；新邮箱另有 %d 封旧邮箱没有的邮件（原有邮件不受影响）。", "%d message(s) missing on the new side; %d message(s) there that the old side does not have (left untouched)."},
		"migrate.dropped_keywords":    {"新邮箱不支持这些关键字，未能保留：%s", "The new mailbox cannot store these keywords; they were left out: %s"},
		"migrate.failure":             {"UID %d <%s>（%s）：%s。服务器说：%s", "UID %d <%s> (%s): %s. The server said: %s"},
		"migrate.reason.too-big":      {"邮件超过新邮箱的大小上限，请在网页版中转存大附件后重试", "larger than the new mailbox accepts; save the big attachment elsewhere and try again"},
		"migrate.reason.over-quota":   {"新邮箱空间已满，请扩容或清理后再运行一次", "the new mailbox is full; free space or raise the quota, then run again"},
		"migrate.reason.rejected":     {"新邮箱拒收了这封邮件", "the new mailbox refused this message"},
		"migrate.renamed.delimiter":   {"（文件夹名含新邮箱的层级分隔符，已替换为 _）", "(the folder name held the new mailbox's level separator; replaced with _)"},
		"migrate.renamed.collision":   {"（同名文件夹已被占用，已改名）", "(the name was taken by another folder; renamed)"},
		"migrate.renamed.refused":     {"（新邮箱不接受原文件夹名，已改为安全的名称）", "(the new mailbox refused the folder name; a safe name was used)"},
		"migrate.summary":             {"共 %d 个文件夹，旧邮箱 %d 封：本次搬 %d，已存在 %d，之前已搬 %d，失败 %d。", "%d folder(s), %d message(s) on the old side: %d copied, %d already there, %d earlier, %d failed."},
		"migrate.report_saved":        {"报告已保存到 %s", "Report saved to %s"},
		"migrate.verified":            {"核对完成：新邮箱里有旧邮箱的全部邮件。", "Verified: the new mailbox holds all the mail of the old one."},
		"migrate.not_verified":        {"有邮件没有搬成功，见上文。解决后再运行同一命令，只会补搬缺少的邮件。", "Some mail was not moved; see above. Once fixed, run the same command again: only what is missing is copied."},
		"migrate.interrupted":         {"搬家已停止。再运行同一命令即可从停下的地方继续，不会重复。", "The migration stopped. Run the same command again to continue where it stopped; nothing is copied twice."},
		"migrate.side.source":         {"无法连接旧邮箱 %s：", "Cannot connect to the old mailbox %s:"},
		"migrate.side.destination":    {"无法连接新邮箱 %s：", "Cannot connect to the new mailbox %s:"},
		"migrate.journal_mismatch":    {"搬家日志属于另外的账户（%s）。请检查 --from 和 --to。", "The migration journal belongs to other accounts (%s). Check --from and --to."},
	}
}
