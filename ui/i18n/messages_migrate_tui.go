package i18n

// migrateTUIMessages are the words of `magpie migrate batch` and of the
// migration wizard in the TUI.
func migrateTUIMessages() map[string]entry {
	m := map[string]entry{
		"cli.batch.short": {"按 CSV 表格批量搬家（管理员用）", "Migrate many mailboxes from a CSV file (for admins)"},
		"cli.batch.long": {
			"FILE.csv 第一行是表头，列名（不分大小写、顺序不限）：source（旧地址，必填）、destination（新地址，必填）、source_password_cmd、destination_password_cmd（可选：输出该邮箱密码的命令，以 sh -c 运行，取第一行）。以 # 开头的行是注释。\n" +
				"--from 和 --to 是已添加的账户，提供旧、新服务器的地址、加密方式和证书；给了 --from-admin/--to-admin 时，它们的登录名和密码就是该侧的管理员：\n" +
				"  master   Dovecot 主用户：以 “地址*管理员” 登录（分隔符见 --master-separator）\n" +
				"  authzid  SASL PLAIN 授权身份（RFC 4616）：管理员登录，代表该地址操作（Exchange/Office 365 的完全访问委托即如此）\n" +
				"某行给了密码命令时，该侧用这一行自己的密码。\n" +
				"每行的状态（排队、进行中、成功、失败、已放弃）和邮件数保存在数据目录里：再运行同一命令只处理未完成和失败的行，成功的行不再碰；连续失败 --max-attempts 次的行标为已放弃，加 --retry-given-up 才再试。--status 只显示状态表。\n" +
				"全部成功时以 0 退出，有行未成功时以 1 退出，CSV 有错时以 2 退出并指出行号和列号。",
			"FILE.csv starts with a header naming its columns (any case, any order): source (old address, required), destination (new address, required), source_password_cmd and destination_password_cmd (optional: a command printing that mailbox's password, run with sh -c, first line). Lines starting with # are comments.\n" +
				"--from and --to are configured accounts giving the old and the new servers, security and CA file; with --from-admin/--to-admin their login and password are that side's admin:\n" +
				"  master   Dovecot master user: logs in as \"address*admin\" (separator: --master-separator)\n" +
				"  authzid  SASL PLAIN authorization identity (RFC 4616): the admin logs in acting as the address (how Exchange/Office 365 full-access delegation works)\n" +
				"A row with a password command uses its own password for that side.\n" +
				"Each row's status (queued, running, succeeded, failed, given up) and counts are kept in the data directory: running the same command again does only the unfinished and failed rows, never the succeeded ones; a row failing --max-attempts runs in a row is given up until --retry-given-up. --status only prints the table.\n" +
				"Exits 0 when every row succeeded, 1 when some did not, 2 for a bad CSV (with its line and column).",
		},
		"cli.batch.example": {
			"  magpie migrate batch 员工.csv --from 旧管理员 --from-admin master --to 新管理员 --to-admin authzid --parallel 4\n  magpie migrate batch 员工.csv --status",
			"  magpie migrate batch staff.csv --from old-admin --from-admin master --to new-admin --to-admin authzid --parallel 4\n  magpie migrate batch staff.csv --status",
		},
		"cli.flag.batch_from":       {"提供旧服务器设置（及管理员身份）的账户", "the account giving the old server's settings (and admin)"},
		"cli.flag.batch_to":         {"提供新服务器设置（及管理员身份）的账户", "the account giving the new server's settings (and admin)"},
		"cli.flag.batch_from_admin": {"旧邮箱一侧的管理员登录方式：none、master 或 authzid（默认 none：每行给密码命令）", "how the old side's admin logs in: none, master or authzid (default none: every row gives a password command)"},
		"cli.flag.batch_to_admin":   {"新邮箱一侧的管理员登录方式：none、master 或 authzid", "how the new side's admin logs in: none, master or authzid"},
		"cli.flag.batch_separator":  {"主用户登录名中地址与管理员之间的分隔符（默认 *）", "the separator between address and admin in a master-user login (default *)"},
		"cli.flag.batch_parallel":   {"同时搬几个邮箱（默认 2）", "how many mailboxes to migrate at once (default 2)"},
		"cli.flag.batch_attempts":   {"连续失败几次后放弃该行（默认 3）", "give a row up after this many failed runs in a row (default 3)"},
		"cli.flag.batch_status":     {"只显示状态表，不搬", "only print the status table; migrate nothing"},
		"cli.flag.batch_retry":      {"再试已放弃的行", "try given-up rows again"},

		"cli.migrate_wizard.short": {"打开终端界面中的搬家向导（一步步引导）", "Open the guided migration wizard in the terminal app"},
		"cli.migrate_wizard.long": {
			"打开 Magpie 的终端界面并直接进入搬家向导（在界面中随时按 M 也能打开）：1 准备：旧邮箱服务商的设置清单；2 连接：旧邮箱地址和客户端专用密码，测试登录；3 计划：文件夹、邮件数、大小和预计时间，选择要搬的文件夹；4 搬家：逐个文件夹显示进度，可暂停、继续、停止，按 esc 回去看邮件，搬家在后台继续；5 报告：结论和失败原因，并保存为文件。新邮箱须先添加为账户。",
			"Opens Magpie's terminal app with the migration wizard showing (key M opens it too): 1 Prepare: the old provider's checklist; 2 Connect: the old address and client password, with a login test; 3 Plan: folders, counts, sizes and an estimate, choose folders; 4 Run: progress per folder with pause, resume and stop; press esc to read mail while it goes on; 5 Report: the verdict and the failures, saved to a file. Add the new mailbox as an account first.",
		},
		"cli.migrate_wizard.no_app": {"这个版本没有终端界面。", "This build has no terminal app."},

		"batch.starting":               {"共 %d 个邮箱，同时搬 %d 个。状态保存在 %s", "%d mailbox(es), %d at a time. Status kept in %s"},
		"batch.row_status":             {"%s → %s：%s", "%s → %s: %s"},
		"batch.count_all":              {"全部 %d", "all %d"},
		"batch.status.queued":          {"排队", "queued"},
		"batch.status.running":         {"进行中", "running"},
		"batch.status.succeeded":       {"成功", "succeeded"},
		"batch.status.failed":          {"失败", "failed"},
		"batch.status.given-up":        {"已放弃", "given up"},
		"batch.col.source":             {"旧地址", "source"},
		"batch.col.dest":               {"新地址", "destination"},
		"batch.col.status":             {"状态", "status"},
		"batch.col.total":              {"邮件", "messages"},
		"batch.col.copied":             {"已搬", "copied"},
		"batch.col.already":            {"已存在", "already"},
		"batch.col.failed":             {"失败", "failed"},
		"batch.col.attempts":           {"次数", "runs"},
		"batch.side.source":            {"旧邮箱", "the old mailbox"},
		"batch.side.destination":       {"新邮箱", "the new mailbox"},
		"batch.err_connect":            {"无法登录%s：%s（服务器说：%s）", "cannot log in to %s: %s (the server said: %s)"},
		"batch.err_not_verified":       {"%d 封邮件没有搬成功，原因见报告 %s；解决后再运行即可补搬", "%d message(s) could not be moved; see the report %s, fix, and run again to move only those"},
		"batch.problem.wrong-password": {"用户名或密码不对，或该邮箱不存在；请检查 CSV 里的地址和管理员密码", "wrong user name or password, or no such mailbox; check the address in the CSV and the admin's password"},
		"batch.problem.authzid":        {"服务器不支持代表其他邮箱登录（没有 AUTH=PLAIN）；改用 master 方式或每行的密码命令", "the server offers no delegated login (no AUTH=PLAIN); use the master mode or per-row password commands"},
		"batch.problem.password-cmd":   {"密码命令运行失败", "the password command failed"},
		"batch.problem.tls":            {"加密连接失败（证书或握手）", "the secure connection failed (certificate or handshake)"},
		"batch.problem.refused":        {"连接被拒绝：服务器地址或端口不对", "connection refused: wrong server or port"},
		"batch.problem.timeout":        {"服务器没有及时回应", "the server did not answer in time"},
		"batch.problem.dns":            {"找不到服务器域名", "the server's name was not found"},
		"batch.problem.imap-disabled":  {"该邮箱未开启 IMAP", "IMAP is not switched on for this mailbox"},
		"batch.problem.other":          {"连接失败", "the connection failed"},
		"batch.busy":                   {"这批邮箱正由另一个进程（%d）在搬，请等它结束。", "Another process (%d) is running this batch; wait until it ends."},
		"batch.interrupted":            {"批量搬家已停止。再运行同一命令会继续未完成的邮箱，不会重复。", "The batch stopped. Run the same command again to continue the unfinished mailboxes; nothing is copied twice."},
		"batch.not_all":                {"有邮箱没有搬完，见上表。解决后再运行同一命令，只处理这些邮箱。", "Some mailboxes are not done; see the table. Once fixed, run the same command again: only those are done."},
		"batch.all_done":               {"全部邮箱搬家完成并核对一致。", "Every mailbox migrated and verified."},

		"batch.csv_open":           {"无法读取 %s：%s", "Cannot read %s: %s"},
		"batch.csv_error":          {"%s：%s", "%s: %s"},
		"batch.csv_where":          {"%s 第 %d 行第 %d 列", "%s line %d, column %d"},
		"batch.csv_where_line":     {"%s 第 %d 行", "%s line %d"},
		"batch.csv.syntax":         {"CSV 格式错误（%s）", "malformed CSV (%s)"},
		"batch.csv.no-header":      {"文件是空的：第一行应是表头，如 source,destination", "the file is empty: the first line must be a header such as source,destination"},
		"batch.csv.unknown-column": {"不认识的列 “%s”（可用：source、destination、source_password_cmd、destination_password_cmd）", "unknown column \"%s\" (known: source, destination, source_password_cmd, destination_password_cmd)"},
		"batch.csv.dup-column":     {"这一列在表头里出现了两次", "this column is named twice in the header"},
		"batch.csv.missing-column": {"表头缺少这一必填列", "the header lacks this required column"},
		"batch.csv.empty":          {"必填，但是空的", "required, but empty"},
		"batch.csv.address":        {"“%s” 不是邮件地址", "\"%s\" is not an e-mail address"},
		"batch.csv.dup-row":        {"这个地址已在第 %s 行出现过；一个邮箱只能出现一次", "this address is already on line %s; a mailbox may appear once only"},
		"batch.csv.same-address":   {"新旧地址相同（%s）", "the old and the new address are the same (%s)"},
		"batch.csv.no-credentials": {"没有密码命令，这一侧也没有管理员（--from-admin/--to-admin）", "no password command, and that side has no admin (--from-admin/--to-admin)"},
		"batch.csv.no-rows":        {"表头之后没有任何邮箱", "no mailbox after the header"},
	}
	for k, v := range migrateWizardMessages() {
		m[k] = v
	}
	return m
}
