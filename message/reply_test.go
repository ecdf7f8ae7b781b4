package message

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// original is a message sent to the member's alias, with a Chinese name,
// a thread behind it and one attachment.
func original(t *testing.T) ([]byte, *Parsed) {
	t.Helper()
	o := &Outgoing{
		From:       Address{Name: "王芳", Addr: "wang@client.test"},
		To:         []Address{{Name: "销售部", Addr: "sales@example.com"}, {Addr: "zhao@client.test"}},
		Cc:         []Address{{Name: "陈明", Addr: "CHEN@example.com"}, {Addr: "liu@client.test"}},
		Subject:    "报价单",
		Text:       "请看附件。\n\n> 更早的引用\n谢谢",
		InReplyTo:  "a1@client.test",
		References: []string{"a0@client.test", "a1@client.test"},
		Attachments: []Part{
			{Filename: "报价单.xlsx", ContentType: "application/vnd.ms-excel", Data: []byte{0, 1, 2, 0xfe}},
		},
		Date: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	raw := mustBuild(t, o)
	p, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw, p
}

func own() []Address {
	return []Address{
		{Name: "陈明", Addr: "chen@example.com"},
		{Name: "陈明", Addr: "ming@example.com"},
		{Name: "销售部", Addr: "sales@example.com"},
	}
}

func addrs(list []Address) string {
	var s []string
	for _, a := range list {
		s = append(s, a.Addr)
	}
	return strings.Join(s, ",")
}

func TestReplyToSenderAsTheAddressedIdentity(t *testing.T) {
	_, p := original(t)
	r := Reply(p, &ReplyOptions{Own: own(), Attribution: "王芳 写道:"})
	if r.From.Addr != "sales@example.com" {
		t.Errorf("from %v, want the alias the mail was sent to", r.From)
	}
	if addrs(r.To) != "wang@client.test" || len(r.Cc) != 0 {
		t.Errorf("to %v cc %v", r.To, r.Cc)
	}
	if r.Subject != "Re: 报价单" || ReplySubject("回复：报价单") != "回复：报价单" || ReplySubject("RE: x") != "RE: x" {
		t.Errorf("subject %q", r.Subject)
	}
	if r.InReplyTo != p.MessageID || strings.Join(r.References, " ") != "a0@client.test a1@client.test "+p.MessageID {
		t.Errorf("threading %q %v", r.InReplyTo, r.References)
	}
	if !strings.HasPrefix(r.Quote, "王芳 写道:\n> 请看附件。\n>\n>> 更早的引用\n> 谢谢") {
		t.Errorf("quote %q", r.Quote)
	}
	r.Text, r.Signature = "收到", "销售部 陈明"
	body := r.Body()
	if strings.Index(body, "-- \n销售部 陈明") > strings.Index(body, "> 请看附件") {
		t.Errorf("signature below the quote: %q", body)
	}
	// Round trip: the reply threads under the original.
	r.Date = p.Date.Add(time.Hour)
	raw := mustBuild(t, &r)
	rp, _ := Parse(raw)
	if rp.InReplyTo != p.MessageID || len(rp.References) != 3 {
		t.Errorf("parsed threading %q %v", rp.InReplyTo, rp.References)
	}
}

func TestReplyAllLeavesOutOwnIdentities(t *testing.T) {
	_, p := original(t)
	r := Reply(p, &ReplyOptions{All: true, Own: own()})
	if addrs(r.To) != "wang@client.test" {
		t.Errorf("to %v", r.To)
	}
	if addrs(r.Cc) != "zhao@client.test,liu@client.test" {
		t.Errorf("cc %v (own identities, case-insensitively, must be gone)", r.Cc)
	}
}

func TestReplyToOwnSentMailGoesToItsRecipients(t *testing.T) {
	p := &Parsed{MessageID: "x@y", Subject: "hi", From: []Address{{Addr: "ming@example.com"}},
		To: []Address{{Addr: "wang@client.test"}}}
	r := Reply(p, &ReplyOptions{Own: own()})
	if addrs(r.To) != "wang@client.test" || r.From.Addr != "chen@example.com" {
		t.Errorf("to %v from %v", r.To, r.From)
	}
	p.ReplyTo = []Address{{Addr: "list@client.test"}}
	p.From = []Address{{Addr: "wang@client.test"}}
	if r := Reply(p, nil); addrs(r.To) != "list@client.test" {
		t.Errorf("Reply-To ignored: %v", r.To)
	}
}

func TestForwardInlineKeepsAttachments(t *testing.T) {
	raw, p := original(t)
	f, err := Forward(p, raw, &ForwardOptions{From: own()[0], Labels: ForwardLabels{Banner: "---- 转发的邮件 ----", From: "发件人:"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Subject != "Fwd: 报价单" || ForwardSubject("转发：报价单") != "转发：报价单" {
		t.Errorf("subject %q", f.Subject)
	}
	if !strings.Contains(f.Quote, "---- 转发的邮件 ----\n发件人: 王芳 <wang@client.test>\n") || !strings.Contains(f.Quote, "请看附件。") {
		t.Errorf("quote %q", f.Quote)
	}
	if len(f.Attachments) != 1 || f.Attachments[0].Filename != "报价单.xlsx" || !bytes.Equal(f.Attachments[0].Data, []byte{0, 1, 2, 0xfe}) {
		t.Fatalf("attachments %+v", f.Attachments)
	}
	f.To = []Address{{Addr: "boss@example.com"}}
	fp, _ := Parse(mustBuild(t, &f))
	if len(fp.Attachments) != 1 || fp.Attachments[0].Filename != "报价单.xlsx" {
		t.Errorf("forwarded attachments %+v", fp.Attachments)
	}
}

func TestForwardAsAttachment(t *testing.T) {
	raw, p := original(t)
	f, err := Forward(p, raw, &ForwardOptions{AsAttachment: true, From: own()[0]})
	if err != nil {
		t.Fatal(err)
	}
	f.To = []Address{{Addr: "boss@example.com"}}
	out := mustBuild(t, &f)
	fp, _ := Parse(out)
	if len(fp.Attachments) != 1 || fp.Attachments[0].ContentType != "message/rfc822" || fp.Attachments[0].Filename != "报价单.eml" {
		t.Fatalf("attachments %+v", fp.Attachments)
	}
	inner, err := PartData(out, fp.Attachments[0].PartPath)
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := Parse(inner)
	if ip.MessageID != p.MessageID || ip.Subject != "报价单" || len(ip.Attachments) != 1 {
		t.Errorf("inner message %+v", ip)
	}
}

// TestReplyBetweenTheMembersOwnMailboxes: the business mailbox answering
// the member (both the member's) answers the member, not nobody; the
// member answering their own sent mail continues with its recipients.
func TestReplyBetweenTheMembersOwnMailboxes(t *testing.T) {
	o := &Outgoing{From: Address{Name: "陈明", Addr: "chen@example.com"}, To: []Address{{Addr: "sales@example.com"}},
		Subject: "内部", Text: "x", Date: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	p, err := Parse(mustBuild(t, o))
	if err != nil {
		t.Fatal(err)
	}
	sales := []Address{{Name: "销售部", Addr: "sales@example.com"}}
	r := Reply(p, &ReplyOptions{Own: own(), Self: sales})
	if len(r.To) != 1 || r.To[0].Addr != "chen@example.com" || r.From.Addr != "sales@example.com" {
		t.Fatalf("sales answering chen: to %v from %v", r.To, r.From)
	}
	member := []Address{{Addr: "chen@example.com"}, {Addr: "ming@example.com"}}
	r = Reply(p, &ReplyOptions{Own: own(), Self: member})
	if len(r.To) != 0 { // continues with its recipients: sales@, the member's own, left out
		t.Fatalf("chen answering own mail: to %v", r.To)
	}
	if r = Reply(p, &ReplyOptions{Own: own()}); len(r.To) != 0 {
		t.Fatalf("without Self: to %v", r.To)
	}
}
