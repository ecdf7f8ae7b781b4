package demo

import (
	"time"

	"github.com/emersion/go-imap/v2"
)

// The people of the showcase messages.
func chen() person     { return person{MemberName, MemberEmail} }
func ming() person     { return person{MemberName, AliasEmail} }
func sales() person    { return person{SalesName, SalesEmail} }
func wangFang() person { return person{"王芳", "wangfang@huaxin-tech.cn"} }
func liQiang() person  { return person{"李强", "liqiang@huaxin-tech.cn"} }
func zhangWei() person {
	return person{"张伟", "zhang.wei@huaxin-tech.cn"}
}
func emily() person { return person{"Emily Carter", "emily.carter@northwind.example"} }

// Flag sets of the showcase messages.
func seen() []imap.Flag    { return []imap.Flag{imap.FlagSeen} }
func unread() []imap.Flag  { return nil }
func starred() []imap.Flag { return []imap.Flag{imap.FlagSeen, imap.FlagFlagged} }

// ShowcaseNotice is the subject of the GBK-encoded notice, and
// ShowcaseNoticeWord a word only its body holds (for search).
const (
	ShowcaseNotice     = "【通知】办公楼消防演练安排"
	ShowcaseNoticeWord = "灭火器"
)

// memberShowcase are the hand-written messages of the member's mailbox,
// dated in the days before now so that they head the lists.
func memberShowcase(now time.Time) []showMessage {
	at := func(ago time.Duration) time.Time { return now.Add(-ago).Truncate(time.Second) }
	var out []showMessage
	add := func(folder string, flags []imap.Flag, l letter) {
		out = append(out, showMessage{folder: folder, raw: l.render(), flags: flags, date: l.date.Add(7 * time.Second)})
	}

	// A Chinese thread: a question and three replies, one of them sent.
	t0 := letter{from: wangFang(), to: []person{chen()}, cc: []person{liQiang()},
		subject: "公司邮箱搬家方案，请确认时间", date: at(72 * time.Hour), id: "move-1@huaxin-tech.cn"}.plainUTF8(
		"陈经理您好：\n\n" +
			"我们计划把公司邮箱从旧平台搬到企业邮箱，初步方案如下：\n" +
			"一、下周三晚上八点开始迁移，预计四个小时；\n" +
			"二、迁移期间旧邮箱照常收信，新邮件会补同步；\n" +
			"三、客户端需要改用客户端专用密码（授权码）登录。\n\n" +
			"请您确认时间是否合适，谢谢！\n\n王芳\n华信科技 信息部")
	t1 := t0.reply(chen(), []person{wangFang()}, []person{liQiang()}, "回复：", at(68*time.Hour), "move-2@magpie.demo").plainUTF8(
		"王芳你好：\n\n时间没问题。销售部的共享邮箱 sales@ 也一起搬吗？\n另外请提前一天发通知给全体员工。\n\n陈明\n\n" +
			"> 我们计划把公司邮箱从旧平台搬到企业邮箱，初步方案如下：")
	t2 := t1.reply(liQiang(), []person{wangFang(), chen()}, nil, "回复：", at(50*time.Hour), "move-3@huaxin-tech.cn").plainUTF8(
		"补充一点：销售部邮箱里有五年的往来邮件，建议先搬历史邮件，再切换收信。\n\n李强")
	t3 := t2.reply(wangFang(), []person{chen()}, []person{liQiang()}, "回复：", at(5*time.Hour), "move-4@huaxin-tech.cn").plainUTF8(
		"好的，sales@ 一起搬，历史邮件先迁移。通知今晚发出。\n迁移完成后我会把核对报告发给大家。\n\n王芳")
	add("INBOX", seen(), t0)
	add("已发送", seen(), t1)
	add("INBOX", seen(), t2)
	add("INBOX", unread(), t3)

	// A notice in GBK, as many Chinese systems still send it: the subject
	// and the name as GBK words, the body raw 8-bit GBK.
	add("INBOX", unread(), letter{
		from: person{"行政部", "admin@magpie.demo"}, to: []person{{"全体员工", "all@magpie.demo"}},
		rawSubject: gbkWord(ShowcaseNotice), date: at(26 * time.Hour), id: "notice-2026@magpie.demo",
		contentType: "text/plain; charset=GBK", cte: "8bit",
		body: string(gbk("各位同事：\n\n" +
			"公司定于本周五下午三点进行消防演练，届时请听从楼层安全员指挥，\n" +
			"沿安全通道有序撤离到楼前广场集合。演练结束后，安全员将演示灭火器的使用方法。\n\n" +
			"请各部门提前做好工作安排。\n\n行政部")),
	}.gbkFrom())

	// A report with a Chinese-named PDF attachment.
	add("INBOX", starred(), withPDF(letter{from: zhangWei(), to: []person{chen()},
		subject: "第二季度销售报告（终稿）", date: at(6 * time.Hour), id: "q2-report@huaxin-tech.cn"},
		"陈经理：\n\n第二季度销售报告终稿见附件，请审阅。华东区增长最快，详见第三页。\n\n张伟",
		"2026年第二季度销售报告.pdf", samplePDF("Q2 2026 sales report (Magpie demo)")))

	// An HTML-only newsletter with links and a remote image, which Magpie
	// never loads.
	add("INBOX", unread(), newsletter(at(10*time.Hour)))

	// Mail to the alias.
	add("INBOX", unread(), letter{from: person{"赵敏", "zhaomin@163.com"}, to: []person{ming()},
		subject: "样品已收到", date: at(8 * time.Hour), id: "sample-ok@163.com"}.plainUTF8(
		"陈先生您好：\n\n寄来的样品今天收到了，质量很好。下周我们会下正式订单。\n\n赵敏"))

	// An English thread: a question, the member's answer, a follow-up.
	e0 := letter{from: emily(), to: []person{chen()}, subject: "Shipping schedule for the Shenzhen order",
		date: at(96 * time.Hour), id: "ship-1@northwind.example"}.plainUTF8(
		"Hi Chen,\n\nCould you confirm when the Shenzhen order leaves the warehouse?\n" +
			"Our customs broker needs two days' notice.\n\nBest,\nEmily")
	e1 := e0.reply(chen(), []person{emily()}, nil, "Re: ", at(94*time.Hour), "ship-2@magpie.demo").plainUTF8(
		"Hi Emily,\n\nIt leaves on Thursday morning; the tracking number follows once it is booked.\n\nChen Ming\n\n" +
			"> Could you confirm when the Shenzhen order leaves the warehouse?")
	e2 := e1.reply(emily(), []person{chen()}, nil, "Re: ", at(27*time.Hour), "ship-3@northwind.example").plainUTF8(
		"Thanks, Chen. Thursday works; the broker is booked.\n\nEmily")
	add("INBOX", seen(), e0)
	add("已发送", seen(), e1)
	add("INBOX", unread(), e2)

	// The member is copied on a customer's inquiry to the sales mailbox.
	add("INBOX", seen(), inquiry(at(7*time.Hour)))
	return out
}

// salesShowcase are the hand-written messages of the business mailbox.
func salesShowcase(now time.Time) []showMessage {
	at := func(ago time.Duration) time.Time { return now.Add(-ago).Truncate(time.Second) }
	po := letter{from: person{"James Liu", "james.liu@contoso.example"}, to: []person{sales()},
		subject: "Purchase order PO-2026-1187", date: at(30 * time.Hour), id: "po-1187@contoso.example"}.plainUTF8(
		"Hello,\n\nPlease find our purchase order PO-2026-1187 for 40 units below.\n" +
			"Delivery to our Suzhou warehouse, payment 30 days net.\n\nJames Liu\nContoso Procurement")
	in := inquiry(at(7 * time.Hour))
	return []showMessage{
		{folder: "INBOX", raw: po.render(), flags: unread(), date: po.date.Add(5 * time.Second)},
		{folder: "INBOX", raw: in.render(), flags: unread(), date: in.date.Add(5 * time.Second)},
	}
}

// inquiry is a customer's inquiry to the sales mailbox, the member copied.
func inquiry(date time.Time) letter {
	return letter{from: person{"刘洋", "liuyang@jinhe-trade.com.cn"}, to: []person{sales()}, cc: []person{chen()},
		subject: "询价：工业级交换机 200 台", date: date, id: "inquiry-200@jinhe-trade.com.cn"}.plainUTF8(
		"销售部您好：\n\n我司需要采购工业级交换机 200 台，请报含税价和交货期。\n" +
			"如有现货，希望本月内发货。\n\n刘洋\n金禾贸易 采购部")
}

// gbkFrom writes the sender's name as a GBK word, as the notice's
// (old) mail system does.
func (l letter) gbkFrom() letter {
	l.extra = append(l.extra, [2]string{"X-Mailer", "OA Notice 3.1"})
	l.fromRaw = gbkWord(l.from.name) + " <" + l.from.addr + ">"
	return l
}

// withPDF makes l a multipart/mixed message: text, then the PDF under a
// Chinese name (RFC 2231 filename*, with an RFC 2047 name for old readers).
func withPDF(l letter, text, name string, pdf []byte) letter {
	const boundary = "=_magpie_demo_pdf"
	l.contentType = `multipart/mixed; boundary="` + boundary + `"`
	l.body = "--" + boundary + "\n" +
		"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n" + text + "\n" +
		"--" + boundary + "\n" +
		"Content-Type: application/pdf; name=\"" + mimeWord(name) + "\"\n" +
		"Content-Disposition: attachment; " + rfc2231("filename", name) + "\n" +
		"Content-Transfer-Encoding: base64\n\n" + base64Body(pdf) + "\n" +
		"--" + boundary + "--"
	return l
}

// newsletter is an HTML-only newsletter, quoted-printable.
func newsletter(date time.Time) letter {
	html := `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Magpie 周刊</title></head>
<body>
<h1>Magpie 周刊 #42</h1>
<p><img src="https://news.magpie.demo/pixel.gif?u=chen" width="1" height="1" alt="">本期内容 / In this issue:</p>
<ul>
<li><a href="https://news.magpie.demo/2026/42/offline">离线读信：全部文件夹、完整历史</a></li>
<li><a href="https://news.magpie.demo/2026/42/migrate">邮箱搬家，一步一步核对</a></li>
<li><a href="https://news.magpie.demo/2026/42/keys">Keyboard shortcuts worth learning</a></li>
</ul>
<p>Magpie 从不加载远程图片和内容。<br>Magpie never loads remote images or content.</p>
<p style="font-size:small"><a href="https://news.magpie.demo/unsubscribe?u=chen">退订 Unsubscribe</a></p>
</body></html>`
	return letter{from: person{"Magpie 周刊", "weekly@news.magpie.demo"}, to: []person{chen()},
		subject: "Magpie 周刊 #42：在终端里读写邮件", date: date, id: "weekly-42@news.magpie.demo",
		extra:       [][2]string{{"List-Unsubscribe", "<https://news.magpie.demo/unsubscribe?u=chen>"}},
		contentType: "text/html; charset=UTF-8", cte: "quoted-printable", body: qp(html)}
}
