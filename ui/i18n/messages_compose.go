package i18n

// composeMessages are the words of `magpie send`, the outbox as `sync
// --daemon` reports it, and the composer.
func composeMessages() map[string]entry {
	return map[string]entry{
		"cli.send.short": {"发送一封邮件（正文从标准输入读取）", "Send a message (body read from standard input)"},
		"cli.send.long": {
			"从标准输入读取正文（UTF-8；GBK 文本也能识别），以指定身份发送：账户的主地址、别名、业务邮箱或邮件组地址，走该身份所属账户的 SMTP 服务器。\n自动加上该身份的新邮件签名（--no-signature 不加）。中文主题、姓名和附件名按 RFC 2047/2231 编码，Outlook、Foxmail 和网页版都能正确显示；密送地址不会出现在信头里。\n发送成功后，已发送文件夹里会有一份副本（服务商自己保存的就不重复保存）；副本在下次同步时上传。\n连接不上时邮件留在发件箱，下次同步或 magpie sync --daemon 运行时自动发出，此时以状态码 1 退出。\n用 --at 定时发送：邮件在发件箱等待，到时由 magpie sync --daemon 或打开的 Magpie 发出。",
			"Reads the body from standard input (UTF-8; GBK text is recognised too) and sends it as one of your identities: an account's own address, an alias, a business mailbox or a group address, through the SMTP server of the account it belongs to.\nThe identity's signature for new mail is added (--no-signature leaves it out). Chinese subjects, names and attachment names are encoded per RFC 2047/2231 so Outlook, Foxmail and webmail show them correctly; Bcc addresses never appear in the header.\nOnce sent, one copy is kept in the Sent folder (none added where the provider files sent mail itself); the copy is uploaded at the next sync.\nWhen the server cannot be reached the message waits in the outbox and leaves at the next sync or while magpie sync --daemon runs; the exit status is then 1.\nWith --at the message is scheduled: it waits in the outbox and leaves when due, sent by magpie sync --daemon or a running Magpie.",
		},
		"cli.send.example": {
			"  echo '明天上午十点开会。' | magpie send --account work --to '王芳 <wang@example.com>' --subject '开会通知'\n  magpie send --from sales@example.com --to client@example.org --bcc boss@example.com --subject 报价 --attach 报价单.xlsx < body.txt\n  magpie send --account work --to team@example.com --subject 周报 --at '2026-03-02 09:00' < weekly.txt",
			"  echo 'Meeting at ten tomorrow.' | magpie send --account work --to 'Wang Fang <wang@example.com>' --subject 'Meeting'\n  magpie send --from sales@example.com --to client@example.org --bcc boss@example.com --subject Quote --attach quote.xlsx < body.txt\n  magpie send --account work --to team@example.com --subject Weekly --at '2026-03-02 09:00' < weekly.txt",
		},
		"cli.flag.send_account":      {"从哪个账户发送（用 --from 时可省略）", "the account to send from (may be left out with --from)"},
		"cli.flag.send_from":         {"发件身份：主地址、别名、业务邮箱或邮件组地址；默认账户主地址", "the identity to send as: own address, alias, business mailbox or group address; default: the account's own address"},
		"cli.flag.send_to":           {"收件人，可重复，也可用逗号分隔", "recipient; repeat or separate with commas"},
		"cli.flag.send_cc":           {"抄送，可重复", "carbon copy; may repeat"},
		"cli.flag.send_bcc":          {"密送（不出现在信头里），可重复", "blind copy (never in the header); may repeat"},
		"cli.flag.send_subject":      {"主题", "subject"},
		"cli.flag.send_attach":       {"附件文件，可重复", "a file to attach; may repeat"},
		"cli.flag.send_at":           {"定时发送：+2h、15:04、2006-01-02 15:04 或 RFC 3339 时间", "send later: +2h, 15:04, 2006-01-02 15:04 or an RFC 3339 time"},
		"cli.flag.send_no_signature": {"不加签名", "leave the signature out"},
		"cli.flag.daemon":            {"无界面常驻：保持同步，并按时发出发件箱里到期的邮件（含定时发送），直到 Ctrl-C 或收到终止信号", "run headless: keep syncing and send outbox mail when due (scheduled mail included) until Ctrl-C or a termination signal"},

		"send.stdin_failed":       {"读取标准输入失败：%v", "Could not read standard input: %v"},
		"send.attach_failed":      {"无法附加 %s：%s", "Cannot attach %s: %s"},
		"send.no_smtp":            {"账户 %s 没有设置 SMTP 服务器，不能发信。请用 magpie account add 重新添加并给出 --smtp。", "Account %s has no SMTP server, so it cannot send. Add it again with magpie account add and --smtp."},
		"send.unknown_from":       {"%s 不是你任何账户的身份（主地址、别名或邮件组）。可用的身份见 magpie account list。", "%s is not an identity of any of your accounts (own address, alias or group). See magpie account list."},
		"send.queue_failed":       {"无法把邮件放进发件箱：%s", "Could not put the message in the outbox: %s"},
		"send.scheduled":          {"已放入发件箱，将于 %s 以 %s 发出（需要 magpie sync --daemon 或 Magpie 在运行）。", "In the outbox; it leaves at %s as %s (while magpie sync --daemon or Magpie runs)."},
		"send.sent":               {"✓ 已以 %s 发给 %s。", "✓ Sent as %s to %s."},
		"send.copy_queued":        {"已发送文件夹的副本将在下次同步时上传。", "The copy for the Sent folder is uploaded at the next sync."},
		"send.offline":            {"暂时无法发送：邮件已留在发件箱，下次同步或 magpie sync --daemon 运行时自动发出。", "Not sent yet: the message waits in the outbox and leaves at the next sync or while magpie sync --daemon runs."},
		"send.taken":              {"另一个正在运行的 Magpie 已在发送这封邮件。", "Another running Magpie is already sending this message."},
		"send.kept_failed":        {"邮件没有丢：它留在发件箱（标为失败），改正后可重新发送。", "Nothing is lost: the message stays in the outbox, marked failed, to send again once fixed."},
		"send.err_provider_limit": {"邮件有 %s，超过服务商的上限 %s，很可能被拒收。请减小附件或改用网盘链接（如企业邮箱的超大附件）。", "The message is %s, above the provider's limit of %s, and is likely to be refused. Make attachments smaller or share them as a link (e.g. Exmail's large-attachment links)."},
		"send.err_too_large":      {"邮件有 %s，超过服务器允许的 %s，没有发送。请减小附件。", "The message is %s, above the %s the server accepts; it was not sent. Make attachments smaller."},
		"send.err_recipient":      {"服务器拒收收件人 %s（%d %s）。请检查地址是否写错。", "The server refused recipient %s (%d %s). Check the address for typos."},
		"send.err_sender":         {"服务器不允许以这个地址发信（%d %s）。别名或邮件组需要管理员授权你代发。", "The server does not let you send as this address (%d %s). An alias or group needs your admin to allow you to send as it."},
		"send.err_content":        {"服务器拒收了这封邮件（%d %s）。", "The server refused the message (%d %s)."},
		"send.err_other":          {"发送失败：%s", "Sending failed: %s"},

		"outbox.sent":        {"%s：已发出「%s」。", "%s: sent “%s”."},
		"outbox.failed":      {"%s：「%s」未发出：%s", "%s: “%s” was not sent: %s"},
		"outbox.unreachable": {"%s：发件箱里有待发邮件，但暂时连不上 SMTP 服务器，稍后重试。", "%s: mail is waiting in the outbox but the SMTP server cannot be reached; trying again later."},
	}
}
