package corpus

// The text pools below are plausible business mail in simplified Chinese,
// traditional Chinese (for Big5 bodies, which cannot hold simplified
// characters) and English. They are functions, not package variables, so
// that nothing package-level can be changed.

type person struct {
	name, addr string
}

func people() []person {
	return []person{
		{"张伟", "zhang.wei@huaxin-tech.cn"},
		{"王芳", "wangfang@huaxin-tech.cn"},
		{"李娜", "lina@jinhe-trade.com.cn"},
		{"刘洋", "liuyang@jinhe-trade.com.cn"},
		{"陈静", "chenjing@dongfang-logistics.cn"},
		{"杨磊", "yanglei@dongfang-logistics.cn"},
		{"赵敏", "zhaomin@163.com"},
		{"黄勇", "huangyong@qq.com"},
		{"周杰", "zhoujie@xinghe-design.cn"},
		{"吴婷", "wuting@xinghe-design.cn"},
		{"林志明", "lin.zhiming@taibei-parts.com.tw"},
		{"Emily Carter", "emily.carter@northwind.example"},
		{"James Liu", "james.liu@contoso.example"},
		{"Sophie Martin", "sophie@fabrikam.example"},
		{"Tom Becker", "tom.becker@adventure-works.example"},
		{"财务部", "finance@huaxin-tech.cn"},
		{"系统通知", "noreply@notice.huaxin-tech.cn"},
	}
}

// me is the mailbox owner.
func me() person { return person{"孙丽", "sunli@magpie-demo.cn"} }

func companies() []string {
	return []string{"华信科技", "金禾贸易", "东方物流", "星河设计", "恒通电子", "远航船务", "新锐教育", "泰和医药"}
}

func projects() []string {
	return []string{"智慧园区", "供应链系统", "官网改版", "ERP 升级", "仓储自动化", "年度审计", "Magpie", "数据中台"}
}

// zhSubjects are templates; %[1]s is a company or project, %[2]d a number.
func zhSubjects() []string {
	return []string{
		"关于%[1]s项目的报价单",
		"%[1]s 会议纪要（第%[2]d期）",
		"合同审批：%[1]s 采购合同",
		"发票已开具，请查收 No.%[2]d",
		"【通知】%[1]s 系统维护安排",
		"%[1]s 项目周报 第%[2]d周",
		"请确认%[1]s的交货时间",
		"付款申请：%[1]s 第%[2]d笔",
		"%[1]s 年度框架协议（草案）",
		"关于调整%[1]s报价的说明",
	}
}

func enSubjects() []string {
	return []string{
		"Quote for the %[1]s project",
		"Meeting notes: %[1]s sync #%[2]d",
		"Contract review: %[1]s",
		"Invoice #%[2]d attached",
		"Reminder: %[1]s maintenance window",
		"Weekly report %[1]s, week %[2]d",
		"Delivery schedule for %[1]s",
		"Payment request %[1]s-%[2]d",
	}
}

func zhParagraphs() []string {
	return []string{
		"您好！附件是本季度的报价单，请您审阅。如有任何疑问，欢迎随时与我联系。",
		"根据上次会议的讨论结果，我们对方案进行了以下调整：一、交货周期缩短至三十天；二、付款方式改为分期付款；三、质保期延长至两年。",
		"请各部门负责人于本周五前提交下季度预算，财务部将统一汇总后报总经理审批。",
		"合同草案已经法务部审核，主要修改集中在违约责任和保密条款两部分，请查看修订记录。",
		"发票已于今日通过快递寄出，快递单号请见附件。收到后请在系统中确认，谢谢配合。",
		"本次会议纪要如下：参会人员包括项目组全体成员；会议确定了下一阶段的里程碑；相关任务已分配到人。",
		"由于原材料价格上涨，我方不得不对部分产品的报价进行调整，调整幅度约为百分之五，敬请谅解。",
		"系统将于本周六凌晨两点至六点进行例行维护，期间邮箱和办公系统可能无法访问，请提前做好安排。",
		"感谢贵司一直以来的支持与合作。我们期待在新的一年里继续携手，共同发展。",
		"请注意：报销单据需在每月二十五日前提交，逾期将顺延至下月处理。",
		"样品已经收到，质量符合要求。我们计划下周安排首批订单，数量约为五千件。",
		"附件中的表格列出了各地区的销售数据，其中华东区同比增长百分之十二，表现最为突出。",
	}
}

func twParagraphs() []string {
	return []string{
		"您好！隨信附上本季度的報價單，請您審閱。如有任何問題，歡迎隨時與我聯繫。",
		"根據上次會議的討論結果，我們對方案進行了以下調整：交貨週期縮短至三十天，付款方式改為分期付款。",
		"發票已於今日寄出，收到後請在系統中確認，謝謝配合。",
		"本次會議紀要如下：會議確定了下一階段的里程碑，相關任務已分配到人。",
		"感謝貴公司一直以來的支持與合作，期待未來繼續攜手共同發展。",
	}
}

func enParagraphs() []string {
	return []string{
		"Hi, please find attached the quotation for this quarter. Let me know if you have any questions.",
		"Following our last meeting, we have shortened the delivery cycle to thirty days and moved to instalment payments.",
		"Department heads are asked to submit next quarter's budget by Friday so that finance can consolidate it.",
		"Legal has reviewed the draft contract; the main changes are in the liability and confidentiality clauses.",
		"The invoice was sent by courier today. Please confirm receipt in the system once it arrives.",
		"Action items from today's sync have been assigned; the next milestone is the end-to-end test in two weeks.",
		"Due to rising material costs we need to adjust some prices by roughly five percent. Thank you for understanding.",
		"Scheduled maintenance runs this Saturday from 2 a.m. to 6 a.m.; mail and the intranet may be unavailable.",
		"Thanks for your continued support. We look forward to working together again next year.",
	}
}

func signatures() []string {
	return []string{
		"孙丽\n华信科技 商务部\n电话：010-8888 6666",
		"Best regards,\nSun Li\nHuaxin Technology",
		"此致\n敬礼",
		"顺颂商祺",
	}
}

// attachmentNames are base names; an extension is added by kind.
func attachmentNames() []string {
	return []string{
		"报价单", "会议纪要", "合同草案（第二版）", "发票扫描件", "项目周报", "付款申请单",
		"销售数据汇总", "产品目录2025", "Quotation", "Meeting minutes", "采购订单 PO-2024-118",
	}
}

type attachmentKind struct {
	ext, ctype string
	magic      string
}

func attachmentKinds() []attachmentKind {
	return []attachmentKind{
		{".pdf", "application/pdf", "%PDF-1.4\n"},
		{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04"},
		{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04"},
		{".jpg", "image/jpeg", "\xff\xd8\xff\xe0"},
		{".zip", "application/zip", "PK\x03\x04"},
		{".txt", "text/plain", ""},
	}
}
