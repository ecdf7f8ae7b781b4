package account

// The preset table. It is built by a function, not held in a package
// variable, so no caller can change what another sees.
//
// Every host and port is annotated with where it was checked (2026-11). Where
// only third-party copies were found the comment says so; "unverified" marks
// values seen only in third-party code or our own notes
// (/work/shared/notes/providers.md).

const mib = int64(1) << 20

// implicitTLS and startTLS build endpoints tersely.
func implicitTLS(host string, port int) Endpoint {
	return Endpoint{Host: host, Port: port, Security: SecurityTLS}
}
func startTLS(host string, port int) Endpoint {
	return Endpoint{Host: host, Port: port, Security: SecuritySTARTTLS}
}

// coremailQuirks are NetEase's Coremail servers' (163, 126, qiye.163.com).
func coremailQuirks() Quirks { return Quirks{NeedsID: true, NoEnable: true} }

func providerTable() []Provider {
	return []Provider{
		{
			// Tencent Exmail (WeCom business mail). Hosts and ports:
			// imap.exmail.qq.com:993 SSL, smtp.exmail.qq.com:465 SSL,
			// pop.exmail.qq.com:995 SSL, as in Exmail's help text "如何配置
			// 邮件客户端使用IMAP服务" — found only in copies by resellers
			// and users (Sources), not on exmail.qq.com itself.
			ID:         "exmail",
			Name:       Localized{ZH: "腾讯企业邮箱", EN: "Tencent Exmail"},
			Domains:    nil, // custom domains only: found through MX
			MXSuffixes: []string{"mxbiz1.qq.com", "mxbiz2.qq.com", "exmail.qq.com"},
			IMAP:       implicitTLS("imap.exmail.qq.com", 993),
			SMTP:       implicitTLS("smtp.exmail.qq.com", 465),
			POP3:       implicitTLS("pop.exmail.qq.com", 995),
			// unverified: dav.qq.com or caldav.exmail.qq.com (notes).
			CalDAV: "",
			// Exmail files SMTP-submitted mail in 已发送 when "保存已发送
			// 邮件到服务器" is ticked in 收发信设置 (Lark's migration guide
			// has users tick it); the steps below ask for it.
			SavesSent: true,
			// 50 MB per message through SMTP (Exmail's client limit; the
			// web client sends larger files as 超大附件 links instead).
			SendLimit: 50 * mib,
			// No published connection limit: the default budget.
			MaxConnections: 0,
			Quirks:         Quirks{NoDescendingRanges: true, NoCompoundSearch: true, AppendLimit: 20 * mib},
			AppPassword: Localized{
				ZH: "网页版腾讯企业邮箱:设置 > 收发信设置,勾选“开启IMAP/SMTP服务”、“收取我的文件夹”和“保存已发送邮件到服务器”,收取范围选“全部”,保存;再到 设置 > 邮箱绑定 > 开启安全登录,然后“生成新密码”,把这个客户端专用密码填到 Magpie。若提示无权限,请管理员在企业微信管理后台 协作 > 安全管理 > 客户端访问限制 中把你加入 IMAP/SMTP 服务范围。",
				EN: "In Exmail on the web: Settings > Send/Receive (收发信设置): tick “Enable IMAP/SMTP”, “Fetch my folders” and “Save sent mail on the server”, set the fetch range to All, save. Then Settings > Mailbox binding (邮箱绑定) > Enable secure login, and “Generate new password”: give Magpie that client-only password. If access is refused, your admin must add you to the IMAP/SMTP service scope (WeCom admin console > Collaboration > Security > Client access restriction).",
			},
			HelpURL: "", // no page of Exmail's own was found; see Sources
			Sources: []string{
				"http://www.schwkj.cn/qqbizmail/aa10478",
				"https://www.topmailsender.com/en/youxiang/205-tengxun-qiyeyouxiang-tencent-enterprise-mailbox",
				"https://blog.csdn.net/weixin_42397925/article/details/115787461",
				"https://larksuite.com/hc/zh-CN/articles/360048488465",
			},
		},
		{
			// QQ Mail. imap.qq.com:993 SSL and smtp.qq.com:465 SSL match
			// Thunderbird's ISPDB entry; pop.qq.com:995 and the 587
			// STARTTLS alternative appear only on third-party pages.
			ID:         "qq",
			Name:       Localized{ZH: "QQ邮箱", EN: "QQ Mail"},
			Domains:    []string{"qq.com", "foxmail.com", "vip.qq.com"},
			MXSuffixes: nil, // mx*.qq.com also serve non-QQ domains; domain match only
			IMAP:       implicitTLS("imap.qq.com", 993),
			SMTP:       implicitTLS("smtp.qq.com", 465),
			POP3:       implicitTLS("pop.qq.com", 995),
			CalDAV:     "https://dav.qq.com/", // unverified (notes)
			// unverified: QQ Mail offers an "SMTP发信后保存到服务器" option
			// like Exmail's; the steps ask the user to keep it on.
			SavesSent: true,
			Quirks:    Quirks{NoDescendingRanges: true, NoCompoundSearch: true, AppendLimit: 20 * mib},
			AppPassword: Localized{
				ZH: "网页版QQ邮箱:设置 > 账号(账户) > “POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务”,开启 IMAP/SMTP 服务,按提示验证后“生成授权码”,把16位授权码填到 Magpie(QQ密码不能用于客户端)。同一页勾选“SMTP发信后保存到服务器”,收取选项选“全部”。",
				EN: "In QQ Mail on the web: Settings > Account > “POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV”, turn IMAP/SMTP on, verify as asked and “Generate authorization code” (授权码): give Magpie the 16-character code (your QQ password does not work in clients). On the same page keep “Save mail sent via SMTP on the server” on and set the fetch range to All.",
			},
			Sources: []string{
				"https://github.com/thunderbird/autoconfig/blob/master/ispdb/qq.com.xml",
				"https://cloud.kd.cn/ask/9658.html",
				"https://www.topmailsender.com/en/youxiang/106-tengxun-qqyouxiang-tencent-personal-email",
			},
		},
		{
			// NetEase qiye (网易企业邮箱, Coremail). Host names from our notes
			// and a user's note; ports 993/465/995 unverified here. NetEase's
			// own list is qiye.163.com/help/client-profile.html (cited by
			// third parties; not read here). Regional hosts imaphz./imapzh.,
			// smtphz./smtpzh. (port 994 in WeCom binding docs) exist.
			ID:         "netease-qiye",
			Name:       Localized{ZH: "网易企业邮箱", EN: "NetEase Enterprise Mail"},
			MXSuffixes: []string{"qiye.163.com", "mxmail.netease.com"},
			IMAP:       implicitTLS("imap.qiye.163.com", 993),
			SMTP:       implicitTLS("smtp.qiye.163.com", 465),
			POP3:       implicitTLS("pop.qiye.163.com", 995),
			CalDAV:     "https://caldav.qiye.163.com/", // unverified (notes)
			SavesSent:  false,                          // unknown: Magpie appends to Sent itself
			Quirks:     Quirks{NeedsID: true, NoEnable: true, RawBodyStructure: true},
			AppPassword: Localized{
				ZH: "网页版网易企业邮箱:设置 > 账号与安全 > 客户端设置(经典版为“客户端授权码”),开启 IMAP/SMTP 服务并生成客户端授权码,把授权码填到 Magpie;确认 设置 > 安全锁 中没有锁住客户端收信,IMAP 收取范围选“全部”。",
				EN: "In NetEase Enterprise Mail on the web: Settings > Account & security > Client settings (classic version: “Client authorization code”), turn IMAP/SMTP on and generate a client authorization code for Magpie; make sure no security lock (安全锁) blocks clients and the IMAP fetch range is All.",
			},
			HelpURL: "https://qiye.163.com/help/client-profile.html",
			Sources: []string{
				"https://note.lispstudio.com/dacaf276000eb6a58da4f0ecc45cd0e2",
				"https://www.feishu.cn/hc/zh-CN/articles/360049067879",
			},
		},
		{
			// NetEase 163 (Coremail). imap.163.com:993 SSL, smtp.163.com:465
			// SSL per chatmail's provider-db (checked 2024-11) and a user's
			// note; pop.163.com:995 from third-party pages.
			ID:      "163",
			Name:    Localized{ZH: "网易163邮箱", EN: "NetEase 163 Mail"},
			Domains: []string{"163.com", "vip.163.com"},
			IMAP:    implicitTLS("imap.163.com", 993),
			SMTP:    implicitTLS("smtp.163.com", 465),
			POP3:    implicitTLS("pop.163.com", 995),
			CalDAV:  "https://caldav.163.com/", // unverified (notes)
			Quirks:  coremailQuirks(),
			AppPassword: Localized{
				ZH: "网页版163邮箱:设置 > POP3/SMTP/IMAP,开启 IMAP/SMTP 服务,按提示验证手机后生成授权码,把授权码填到 Magpie(登录密码不能用于客户端;免费邮箱同时最多两个授权码)。",
				EN: "In 163 Mail on the web: Settings > POP3/SMTP/IMAP, turn IMAP/SMTP on, verify your phone and create an authorization code (授权码) for Magpie; the login password does not work in clients (free accounts get two codes at a time).",
			},
			Sources: []string{
				"https://github.com/chatmail/provider-db/blob/master/_providers/163.md",
				"https://note.lispstudio.com/dacaf276000eb6a58da4f0ecc45cd0e2",
			},
		},
		{
			// NetEase 126: same platform as 163; host names from a user's
			// note, SSL ports unverified (assumed equal to 163's).
			ID:      "126",
			Name:    Localized{ZH: "网易126邮箱", EN: "NetEase 126 Mail"},
			Domains: []string{"126.com", "vip.126.com", "yeah.net"},
			IMAP:    implicitTLS("imap.126.com", 993),
			SMTP:    implicitTLS("smtp.126.com", 465),
			POP3:    implicitTLS("pop.126.com", 995),
			Quirks:  coremailQuirks(),
			AppPassword: Localized{
				ZH: "网页版126邮箱:设置 > POP3/SMTP/IMAP,开启 IMAP/SMTP 服务,按提示验证手机后生成授权码,把授权码填到 Magpie(登录密码不能用于客户端)。",
				EN: "In 126 Mail on the web: Settings > POP3/SMTP/IMAP, turn IMAP/SMTP on, verify your phone and create an authorization code (授权码) for Magpie; the login password does not work in clients.",
			},
			Sources: []string{"https://note.lispstudio.com/dacaf276000eb6a58da4f0ecc45cd0e2"},
		},
		{
			// Alibaba Mail (阿里邮箱企业版). imap.qiye.aliyun.com:993 SSL from
			// Aliyun's IMAP command-set page; smtp.qiye.aliyun.com:465 SSL
			// from its SMTP page; pop.qiye.aliyun.com is the CNAME target in
			// Aliyun's DNS table, port 995 unverified.
			ID:         "aliyun-qiye",
			Name:       Localized{ZH: "阿里企业邮箱", EN: "Alibaba Mail (Enterprise)"},
			MXSuffixes: []string{"mxhichina.com", "qiye.aliyun.com"},
			IMAP:       implicitTLS("imap.qiye.aliyun.com", 993),
			SMTP:       implicitTLS("smtp.qiye.aliyun.com", 465),
			POP3:       implicitTLS("pop.qiye.aliyun.com", 995),
			CalDAV:     "https://caldav.mxhichina.com/", // unverified (notes)
			SavesSent:  false,                           // unknown
			Quirks:     Quirks{XList: true, NoCompoundSearch: true},
			AppPassword: Localized{
				ZH: "网页版阿里邮箱:设置 > 账户与安全(或 POP/IMAP 设置)中开启 IMAP/SMTP;如开启了“三方客户端安全密码”,生成并使用该密码,否则用登录密码。把 IMAP 收取范围从“30天”改为“全部”;如管理员设置了登录 IP 限制或二次验证,请先解除。",
				EN: "In Alibaba Mail on the web: Settings > Account & security (or POP/IMAP settings): turn IMAP/SMTP on; if “third-party client security password” is on, generate one and use it, else your login password. Change the IMAP fetch range from 30 days to All; ask your admin to lift IP restrictions or two-step login for clients.",
			},
			HelpURL: "https://help.aliyun.com/en/document_detail/36687.html",
			Sources: []string{
				"https://help.aliyun.com/document_detail/2857156.html",
				"https://help.aliyun.com/en/document_detail/36687.html",
			},
		},
		{
			// Feishu Mail. imap.feishu.cn:993 and smtp.feishu.cn:465 (SSL)
			// seen only in third-party code (unverified against Feishu's
			// help centre). No POP3 known.
			ID:     "feishu",
			Name:   Localized{ZH: "飞书邮箱", EN: "Feishu Mail"},
			IMAP:   implicitTLS("imap.feishu.cn", 993),
			SMTP:   implicitTLS("smtp.feishu.cn", 465),
			CalDAV: "https://caldav.feishu.cn/", // unverified (notes); separate generated password
			AppPassword: Localized{
				ZH: "管理员需先在飞书管理后台允许成员使用第三方邮箱客户端。然后在飞书电脑客户端:邮箱 > 设置 > 第三方邮箱客户端,开启 IMAP/SMTP 并生成专用密码,把该密码填到 Magpie。",
				EN: "Your admin must first allow third-party mail clients in the Feishu admin console. Then in the Feishu desktop app: Mail > Settings > Third-party email clients, turn IMAP/SMTP on and generate a dedicated password for Magpie.",
			},
			Sources: []string{"https://github.com/BoilTask/imap2pop"},
		},
		{
			// Lark Mail (Feishu's international edition). Hosts and ports
			// unverified: Lark's help centre mentions "Log in to Lark Mail
			// through a third-party email client" but its text was not found.
			ID:   "lark",
			Name: Localized{ZH: "Lark 邮箱", EN: "Lark Mail"},
			IMAP: implicitTLS("imap.larksuite.com", 993),
			SMTP: implicitTLS("smtp.larksuite.com", 465),
			AppPassword: Localized{
				ZH: "管理员需先在 Lark 管理后台允许成员使用第三方邮箱客户端。然后在 Lark 电脑客户端:邮箱 > 设置 > 第三方邮箱客户端,开启 IMAP/SMTP 并生成专用密码,把该密码填到 Magpie。",
				EN: "Your admin must first allow third-party mail clients in the Lark admin console. Then in the Lark desktop app: Mail > Settings > Third-party email clients, turn IMAP/SMTP on and generate a password for Magpie.",
			},
			Sources: []string{"https://larksuite.com/hc/en-US/articles/360048488129"},
		},
		{
			// 263 Enterprise Mail. Hosts and ports unverified (notes only);
			// MX suffix 263.net unverified.
			ID:         "263",
			Name:       Localized{ZH: "263企业邮箱", EN: "263 Enterprise Mail"},
			Domains:    []string{"263.net"},
			MXSuffixes: []string{"263.net"},
			IMAP:       implicitTLS("imap.263.net", 993),
			SMTP:       implicitTLS("smtp.263.net", 465),
			POP3:       implicitTLS("pop.263.net", 995),
			Quirks:     Quirks{NoCompoundSearch: true},
			AppPassword: Localized{
				ZH: "网页版263企业邮箱:设置中开启 IMAP/SMTP 服务(如管理员关闭了客户端访问,请管理员开启);如启用了客户端专用密码,生成后填到 Magpie。",
				EN: "In 263 Mail on the web: turn IMAP/SMTP on in Settings (your admin may have to allow client access first); if client-only passwords are on, generate one for Magpie.",
			},
		},
		{
			// Gmail. imap.gmail.com:993 SSL, smtp.gmail.com:465 SSL (587
			// STARTTLS), pop.gmail.com:995 SSL as in Google's "Check Gmail
			// through other email platforms" table (copied on the Sources
			// pages). Google's recommended-settings page: mail sent through
			// Gmail's SMTP server is copied to [Gmail]/Sent Mail
			// automatically. Google documented 10 simultaneous IMAP
			// connections (2008; 15 is quoted since): a budget of 8 leaves
			// room for the user's phone.
			ID:             "gmail",
			Name:           Localized{ZH: "Gmail", EN: "Gmail"},
			Domains:        []string{"gmail.com", "googlemail.com"},
			MXSuffixes:     []string{"google.com", "googlemail.com"},
			IMAP:           implicitTLS("imap.gmail.com", 993),
			SMTP:           implicitTLS("smtp.gmail.com", 465),
			POP3:           implicitTLS("pop.gmail.com", 995),
			CalDAV:         "https://apidata.googleusercontent.com/caldav/v2/", // unverified; OAuth only
			SavesSent:      true,
			MaxConnections: 8,
			AppPassword: Localized{
				ZH: "在 Gmail 网页版:设置 > 查看所有设置 > 转发和 POP/IMAP,启用 IMAP。然后为 Google 账号开启两步验证,在 myaccount.google.com/apppasswords 生成应用专用密码,把16位密码填到 Magpie。Google Workspace 账号可能需要管理员允许 IMAP。",
				EN: "In Gmail on the web: Settings > See all settings > Forwarding and POP/IMAP, enable IMAP. Turn on 2-Step Verification for your Google account, create an app password at myaccount.google.com/apppasswords and give Magpie the 16-character password. Google Workspace admins may have to allow IMAP.",
			},
			HelpURL: "https://support.google.com/mail/answer/7126229",
			Sources: []string{
				"https://support.carolinau.edu/support/solutions/articles/44001785764-using-gmail-on-microsoft-office-or-apple-mail",
				"https://mailconfiguration.com/gmail/gmail-imap-pop-smtp-settings/",
				"http://support.google.com/mail/bin/answer.py?hl=en&answer=78892",
				"http://mail.google.com/support/bin/answer.py?hl=en&answer=97150",
			},
		},
		{
			// Outlook.com and Microsoft 365. Microsoft's page: IMAP
			// outlook.office365.com:993 SSL/TLS, POP outlook.office365.com:995,
			// SMTP smtp-mail.outlook.com:587 STARTTLS, OAuth2 required.
			// smtp.office365.com:587 STARTTLS is what Thunderbird's ISPDB
			// uses for both Outlook.com and Office 365 tenants, so one
			// preset serves both. Whether Exchange files SMTP-submitted
			// mail in Sent Items was not verified: false.
			ID:   "outlook",
			Name: Localized{ZH: "Outlook / Microsoft 365", EN: "Outlook / Microsoft 365"},
			Domains: []string{
				"outlook.com", "hotmail.com", "live.com", "msn.com", "windowslive.com",
				"outlook.cn", "live.cn", "hotmail.co.uk", "outlook.jp", "hotmail.co.jp",
			},
			MXSuffixes: []string{"mail.protection.outlook.com", "olc.protection.outlook.com"},
			IMAP:       implicitTLS("outlook.office365.com", 993),
			SMTP:       startTLS("smtp.office365.com", 587),
			POP3:       implicitTLS("outlook.office365.com", 995),
			OAuthOnly:  true,
			AppPassword: Localized{
				ZH: "Outlook.com 需要 OAuth2(现代验证),普通密码和多数应用密码已不能用于 IMAP/SMTP。先在 Outlook 网页版 设置 > 邮件 > 转发和 IMAP 中开启“允许设备和应用使用 IMAP”。Microsoft 365 工作账号需管理员为邮箱开启 IMAP 和经过身份验证的 SMTP。",
				EN: "Outlook.com requires OAuth2 (modern auth): plain passwords and most app passwords no longer work for IMAP/SMTP. First turn on “Let devices and apps use IMAP” in Outlook on the web: Settings > Mail > Forwarding and IMAP. Microsoft 365 work accounts need the admin to allow IMAP and authenticated SMTP for the mailbox.",
			},
			HelpURL: "https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353",
			Sources: []string{
				"https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353",
				"https://github.com/thunderbird/autoconfig/blob/master/ispdb/hotmail.com.xml",
				"https://github.com/thunderbird/autoconfig/blob/master/ispdb/office365.com",
			},
		},
	}
}
