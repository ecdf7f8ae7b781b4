package i18n

// diagnosisMessages word account.Diagnose's problems: "diag.X" says what
// happened (with the server address), "fix.X" what to do (with the account
// name).
func diagnosisMessages() map[string]entry {
	return map[string]entry{
		"diag.what":           {"原因：", "What happened: "},
		"diag.fix":            {"怎么办：", "What to do: "},
		"diag.server_said":    {"服务器回复：%s", "The server said: %s"},
		"diag.detail":         {"详细信息：%s", "Details: %s"},
		"diag.provider_steps": {"%s 的设置步骤：", "Steps for %s:"},
		"diag.help_url":       {"帮助页面：%s", "Help page: %s"},

		"diag.wrong-password": {"服务器 %s 拒绝了用户名或密码。", "The server %s refused the user name or password."},
		"fix.wrong-password": {
			"大多数服务商在开启安全登录后要求使用“客户端专用密码/授权码”，而不是网页登录密码。请生成一个新的客户端专用密码，然后用 magpie account remove %[1]s 和 magpie account add 重新添加账户。",
			"Most providers require a client password (app password) once secure login is on, not your web password. Generate a new client password, then re-add the account with magpie account remove %[1]s and magpie account add.",
		},
		"diag.imap-disabled":  {"服务器 %s 表示此邮箱没有开启 IMAP/SMTP 服务。", "The server %s says IMAP/SMTP is not switched on for this mailbox."},
		"fix.imap-disabled":   {"请在网页邮箱的设置中开启 IMAP/SMTP 服务（企业邮箱可能需要管理员允许），然后运行 magpie account test %s。", "Switch on IMAP/SMTP in the webmail settings (an enterprise admin may need to allow it), then run magpie account test %s."},
		"diag.unsafe-login":   {"服务器 %s 以“Unsafe Login”拒绝了访问（网易邮箱要求客户端先发送 IMAP ID）。", "The server %s refused access with \"Unsafe Login\" (NetEase requires the client to send IMAP ID first)."},
		"fix.unsafe-login":    {"Magpie 会自动发送 IMAP ID；如果仍然出现，请在网易邮箱网页版确认已开启 IMAP 并使用授权码，然后运行 magpie account test %s。", "Magpie sends IMAP ID itself; if this persists, check in NetEase webmail that IMAP is on and that you use the authorization code, then run magpie account test %s."},
		"diag.account-locked": {"服务器 %s 表示账户被锁定、冻结或登录过于频繁。", "The server %s says the account is locked, frozen, or logging in too often."},
		"fix.account-locked":  {"请先在网页邮箱登录确认账户状态，解除安全锁定，稍等几分钟后再运行 magpie account test %s。", "Sign in to webmail to check the account, lift the security lock, wait a few minutes, then run magpie account test %s."},
		"diag.tls":            {"无法与 %s 建立安全连接：证书不受信任、已过期或与主机名不符。", "Could not set up a secure connection to %s: the certificate is not trusted, expired, or does not match the host name."},
		"fix.tls":             {"请核对服务器地址是否正确；如果使用自建服务器的自签名证书，请在账户 %s 的配置中用 ca_file 指定其 CA 证书。Magpie 不会跳过证书校验。", "Check the server name; for a self-hosted server with its own CA, set ca_file for account %s. Magpie never skips certificate checks."},
		"diag.not-tls":        {"%s 没有以 TLS 应答：这个端口可能使用 STARTTLS 或明文（如 143、587）。", "%s did not answer with TLS: this port may use STARTTLS or plaintext (e.g. 143, 587)."},
		"fix.not-tls":         {"请把账户 %s 的 security 改为 starttls，或改用 SSL/TLS 端口（IMAP 993、SMTP 465）。", "Set security = \"starttls\" for account %s, or use the SSL/TLS ports (IMAP 993, SMTP 465)."},
		"diag.no-greeting":    {"%s 没有发送问候：这个端口可能要求直接 TLS（993、465、994），也可能不是邮件服务器。", "%s sent no greeting: the port may expect implicit TLS (993, 465, 994), or it is not a mail server."},
		"fix.no-greeting":     {"请核对账户 %s 的端口，并把 security 设为与端口相符的值：993/465/994 用 tls，143/587 用 starttls。", "Check account %s's port and set security to match it: tls for 993/465/994, starttls for 143/587."},
		"diag.no-starttls":    {"服务器 %s 不支持 STARTTLS。", "The server %s does not offer STARTTLS."},
		"fix.no-starttls":     {"请改用 SSL/TLS 端口（IMAP 993、SMTP 465），并在账户 %s 的配置中把 security 设为 tls。", "Use the SSL/TLS ports instead (IMAP 993, SMTP 465) and set security = \"tls\" for account %s."},
		"diag.refused":        {"%s 拒绝连接：端口不对，或服务器未运行。", "%s refused the connection: wrong port, or the server is not running."},
		"fix.refused":         {"请核对账户 %s 的服务器地址和端口（IMAP 通常为 993，SMTP 为 465 或 587）。", "Check the server and port of account %s (IMAP is usually 993, SMTP 465 or 587)."},
		"diag.timeout":        {"连接 %s 超时。", "Connecting to %s timed out."},
		"fix.timeout":         {"请检查网络、代理和防火墙（公司网络可能屏蔽邮件端口），然后重试 magpie account test %s。", "Check the network, proxy and firewall (office networks may block mail ports), then retry magpie account test %s."},
		"diag.dns":            {"找不到服务器 %s（域名解析失败）。", "The server %s was not found (DNS lookup failed)."},
		"fix.dns":             {"请核对账户 %s 的服务器名称拼写，并检查网络连接。", "Check the spelling of account %s's server names and the network connection."},
		"diag.no-password":    {"系统钥匙串中没有保存此账户的密码（%s）。", "The OS keyring holds no password for this account (%s)."},
		"fix.no-password":     {"请用 magpie account remove %[1]s 删除后重新添加，或在配置中为它设置 password_cmd。", "Remove and re-add it with magpie account remove %[1]s, or set password_cmd for it in the config."},
		"diag.keyring":        {"无法访问系统钥匙串（%s）。", "The OS keyring cannot be reached (%s)."},
		"fix.keyring":         {"请启动并解锁钥匙串（如 gnome-keyring），或在配置中为账户 %s 设置 password_cmd。", "Start and unlock a keyring (e.g. gnome-keyring), or set password_cmd for account %s in the config."},
		"diag.password-cmd":   {"获取密码的命令运行失败（%s）。", "The password command failed (%s)."},
		"fix.password-cmd":    {"请在终端中单独运行账户 %s 的 password_cmd，确认它能输出密码。", "Run account %s's password_cmd by hand and check that it prints the password."},
		"diag.unavailable":    {"服务器 %s 暂时不可用，或连接数已达上限。", "The server %s is busy or has reached its connection limit."},
		"fix.unavailable":     {"请关闭其他正在使用此邮箱的客户端，稍后再运行 magpie account test %s。", "Close other clients using this mailbox, then run magpie account test %s again later."},
		"diag.authzid":        {"服务器 %s 不支持代理登录所需的 AUTH=PLAIN。", "The server %s offers no AUTH=PLAIN, which delegated login needs."},
		"fix.authzid":         {"请去掉账户 %s 的 authorize_as，或改用服务器支持的主用户登录方式（例如 user*master）。", "Remove authorize_as from account %s, or use the server's own master-user login form (e.g. user*master)."},
		"diag.canceled":       {"操作已取消（%s）。", "Cancelled (%s)."},
		"fix.canceled":        {"需要时重新运行 magpie account test %s。", "Run magpie account test %s again when ready."},
		"diag.unknown":        {"连接 %s 时出现未能识别的错误。", "An unrecognised error happened while connecting to %s."},
		"fix.unknown":         {"请用 --trace 文件 重新运行 magpie account test %s 查看协议往来（密码已隐去），或把详细信息报告给我们。", "Run magpie account test %s again with --trace FILE to see the exchange (passwords redacted), or report the details to us."},
	}
}
