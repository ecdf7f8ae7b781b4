package i18n

// wizardMessages word the first-run setup wizard (package ui/wizard). What
// the command line already says the same way (diag.*, account.test.*,
// discover.none, account.keyring.*) is reused from the other tables; the
// wizard's own "what to do" texts (wizard.fix.X) point at the wizard's keys
// rather than at magpie subcommands, because the account is not saved yet.
func wizardMessages() map[string]entry {
	return map[string]entry{
		"wizard.title":         {"Magpie 设置向导", "Magpie setup"},
		"wizard.step":          {"第 %d 步，共 %d 步：%s", "Step %d of %d: %s"},
		"wizard.step.provider": {"选择邮箱服务商", "Choose your mail provider"},
		"wizard.step.address":  {"邮箱地址", "Your email address"},
		"wizard.step.servers":  {"服务器设置", "Server settings"},
		"wizard.step.password": {"客户端专用密码", "App password"},
		"wizard.step.test":     {"连接测试", "Connection test"},
		"wizard.step.sync":     {"同步范围与账户名称", "What to sync, and a name"},
		"wizard.welcome":       {"欢迎使用 Magpie！还没有邮箱账户，我们来添加第一个。", "Welcome to Magpie! There is no account yet: let's add your first one."},
		"wizard.provider.other": {
			"其他（自动查找或手动填写服务器）",
			"Other (find the servers automatically, or type them in)",
		},

		"wizard.address.prompt":   {"请输入邮箱地址：", "Type your email address:"},
		"wizard.address.provider": {"服务商：%s", "Provider: %s"},
		"wizard.address.discover": {"按 enter 后，Magpie 会根据地址查找服务器设置。", "After enter, Magpie looks up the server settings from the address."},
		"wizard.address.empty":    {"请输入邮箱地址。", "Please type your email address."},
		"wizard.address.invalid":  {"“%s”不是有效的邮箱地址，应形如 chen@example.com。", "“%s” is not an email address; it should look like chen@example.com."},

		"wizard.discover.failed":     {"无法自动查找服务器：%v", "Could not look up the servers: %v"},
		"wizard.discover.manual":     {"请按 enter 手动填写服务器，或按 esc 修改地址。", "Press enter to type in the servers, or esc to change the address."},
		"wizard.discover.confirm":    {"密码只会发送到上面的服务器。无误请按 enter；要修改请按 e。", "Your password will go only to the servers above. Press enter if they look right, or e to change them."},
		"wizard.discover.unverified": {"注意：这些设置通过未加密的 http 取得，可能被人篡改。请核对服务器名称后再继续。", "Careful: these settings came over plain http and could have been forged. Check the server names before you go on."},

		"wizard.manual.intro":            {"请填写服务器（服务商的帮助页面会列出它们）。", "Type in the servers (your provider's help pages list them)."},
		"wizard.manual.imap":             {"IMAP 服务器", "IMAP server"},
		"wizard.manual.smtp":             {"SMTP 服务器", "SMTP server"},
		"wizard.manual.security":         {"  加密方式", "  Security"},
		"wizard.manual.username":         {"登录名", "Login name"},
		"wizard.manual.placeholder":      {"主机:端口，如 mail.example.com:993", "host:port, e.g. mail.example.com:993"},
		"wizard.manual.smtp_hint":        {"留空则只收不发", "empty: receive only"},
		"wizard.manual.username_hint":    {"留空则使用邮箱地址", "empty: the address"},
		"wizard.manual.need_imap":        {"请填写 IMAP 服务器。", "The IMAP server is required."},
		"wizard.manual.bad_server":       {"%s 应为“主机:端口”，例如 mail.example.com:993。", "%s should be host:port, e.g. mail.example.com:993."},
		"wizard.manual.insecure":         {"警告：不加密时密码以明文在网络上传送，只应用于本机或可信网络。", "Warning: without encryption the password crosses the network in clear text; use it only on this machine or a trusted network."},
		"wizard.security.auto":           {"按端口（993/465 用 SSL/TLS，143/587 用 STARTTLS）", "by port (SSL/TLS on 993/465, STARTTLS on 143/587)"},
		"wizard.security.tls":            {"SSL/TLS", "SSL/TLS"},
		"wizard.security.starttls":       {"STARTTLS", "STARTTLS"},
		"wizard.security.insecure-plain": {"不加密", "none (plaintext)"},

		"wizard.password.generic": {"请使用服务商为邮件客户端提供的密码（客户端专用密码或授权码）；如果没有，就用邮箱密码。", "Use the password your provider gives mail clients (an app password or authorization code); if it has none, your mailbox password."},
		"wizard.password.oauth":   {"注意：%s 已基本关闭密码登录，客户端专用密码可能无法使用。", "Note: %s has largely turned off password login; an app password may not work."},
		"wizard.password.kept":    {"密码只保存在系统钥匙串中，不会写入任何文件。", "The password is kept in the OS keyring only, never in a file."},
		"wizard.password.empty":   {"请输入密码。", "Please type the password."},

		"wizard.test.running":      {"正在连接 %s 并登录……", "Connecting to %s and logging in…"},
		"wizard.test.folders":      {"✓ 找到 %d 个文件夹：", "✓ Found %d folders:"},
		"wizard.test.messages":     {"%d 封", "%d messages"},
		"wizard.test.more_folders": {"……另有 %d 个", "…and %d more"},
		"wizard.test.ok":           {"一切正常！按 enter 继续。", "Everything works. Press enter to go on."},
		"wizard.test.retry":        {"按 enter 重新输入密码；服务器设置有误时，按 esc 返回修改。", "Press enter to type the password again; if the server settings are wrong, press esc to go back and change them."},

		"wizard.fix.wrong-password": {"请确认输入的是客户端专用密码（授权码），而不是网页登录密码。按 enter 查看生成步骤并重新输入。", "Check that you typed the client password (app password), not your web password. Press enter to see how to get one and type it again."},
		"wizard.fix.imap-disabled":  {"请在网页邮箱的设置中开启 IMAP/SMTP 服务（企业邮箱可能需要管理员允许），然后重试。", "Switch on IMAP/SMTP in the webmail settings (an enterprise admin may need to allow it), then try again."},
		"wizard.fix.unsafe-login":   {"Magpie 已自动发送 IMAP ID；请在网易邮箱网页版确认已开启 IMAP 并使用授权码，然后重试。", "Magpie already sends IMAP ID; check in NetEase webmail that IMAP is on and that you use the authorization code, then try again."},
		"wizard.fix.account-locked": {"请先在网页邮箱登录确认账户状态，解除安全锁定，稍等几分钟后重试。", "Sign in to webmail to check the account, lift the security lock, wait a few minutes, then try again."},
		"wizard.fix.tls":            {"请按 esc 返回核对服务器名称。Magpie 不会跳过证书校验；自建服务器使用自己的 CA 时，请用 magpie account add --ca-file 添加。", "Press esc and check the server name. Magpie never skips certificate checks; for a self-hosted server with its own CA, add it with magpie account add --ca-file."},
		"wizard.fix.not-tls":        {"请按 esc 返回，把加密方式改为 STARTTLS，或改用 SSL/TLS 端口（IMAP 993、SMTP 465）。", "Press esc and set the security to STARTTLS, or use the SSL/TLS ports (IMAP 993, SMTP 465)."},
		"wizard.fix.no-greeting":    {"请按 esc 返回核对端口，并选择与端口相符的加密方式：993/465 用 SSL/TLS，143/587 用 STARTTLS。", "Press esc, check the port and pick the security that matches it: SSL/TLS for 993/465, STARTTLS for 143/587."},
		"wizard.fix.no-starttls":    {"请按 esc 返回，改用 SSL/TLS 端口（IMAP 993、SMTP 465）。", "Press esc and use the SSL/TLS ports instead (IMAP 993, SMTP 465)."},
		"wizard.fix.refused":        {"请按 esc 返回核对服务器地址和端口（IMAP 通常为 993，SMTP 为 465 或 587）。", "Press esc and check the server and port (IMAP is usually 993, SMTP 465 or 587)."},
		"wizard.fix.timeout":        {"请检查网络、代理和防火墙（公司网络可能屏蔽邮件端口），然后重试。", "Check the network, proxy and firewall (office networks may block mail ports), then try again."},
		"wizard.fix.dns":            {"请按 esc 返回核对服务器名称的拼写，并检查网络连接。", "Press esc and check the spelling of the server names, and the network connection."},
		"wizard.fix.unavailable":    {"请关闭其他正在使用此邮箱的客户端，稍后重试。", "Close other clients using this mailbox, then try again later."},
		"wizard.fix.unknown":        {"请稍后重试；如果仍然失败，请把上面的详细信息报告给我们。", "Try again later; if it keeps failing, please report the details above to us."},

		"wizard.sync.intro":        {"要下载哪些邮件？新邮件会先出现，历史邮件在后台陆续同步。", "Which mail should Magpie download? New mail shows first; the history streams in behind it."},
		"wizard.sync.all":          {"全部历史邮件（推荐，可离线阅读所有邮件）", "All history (recommended: read everything offline)"},
		"wizard.sync.none":         {"仅邮件头（正文在打开邮件时下载）", "Headers only (a body downloads when you open it)"},
		"wizard.sync.recent":       {"最近 30 天的正文（更早的只下载邮件头）", "Bodies of the last 30 days (headers only before that)"},
		"wizard.sync.name":         {"账户名称：", "Account name:"},
		"wizard.sync.name_invalid": {"名称只能包含字母、数字和 . _ - @，最多 64 个字符。", "A name holds letters, digits and . _ - @, at most 64 characters."},
		"wizard.sync.name_taken":   {"已有名为 %q 的账户，请换一个名称。", "An account named %q already exists; pick another name."},

		"wizard.save.running":    {"正在把密码存入系统钥匙串并写入配置……", "Storing the password in the OS keyring and writing the config…"},
		"wizard.save.instead":    {"在终端中运行：", "In a terminal, run:"},
		"wizard.save.retry":      {"钥匙串可用后按 enter 重试；按 esc 返回。", "Press enter to try again once a keyring runs, or esc to go back."},
		"wizard.save.retry_any":  {"按 enter 重试；按 esc 返回。", "Press enter to try again, or esc to go back."},
		"wizard.save.rolledback": {"配置未能写入，已把刚存入的密码从钥匙串中删除。", "The config could not be written, so the password just stored was removed from the keyring again."},
		"wizard.done":            {"账户 %s 已添加。收件箱即将出现，历史邮件在后台陆续同步……", "Account %s is added. Your inbox opens now; the history streams in behind it…"},

		"wizard.key.move":   {"选择", "move"},
		"wizard.key.next":   {"确定", "continue"},
		"wizard.key.back":   {"返回", "back"},
		"wizard.key.cancel": {"退出向导", "quit setup"},
		"wizard.key.field":  {"下一项", "next"},
		"wizard.key.cycle":  {"加密方式", "security"},
		"wizard.key.edit":   {"手动修改", "edit by hand"},
		"wizard.key.retype": {"重新输入密码", "retype password"},
		"wizard.key.retry":  {"重试", "try again"},
		"wizard.key.name":   {"修改名称", "edit name"},
	}
}
