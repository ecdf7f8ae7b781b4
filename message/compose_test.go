package message

import (
	"bytes"
	"mime"
	"strings"
	"testing"
	"time"
)

func mustBuild(t *testing.T, o *Outgoing) []byte {
	t.Helper()
	raw, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 {
			t.Fatalf("line %d is %d bytes long", i+1, len(l))
		}
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("bare LF in output")
	}
	return raw
}

func headerBlock(raw []byte) string {
	h, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	return h
}

func TestBuildRoundTripChinese(t *testing.T) {
	long := strings.Repeat("这是一行很长的中文正文，用来检查换行是否正确。", 10)
	o := &Outgoing{
		From:      Address{Name: "陈明", Addr: "chen@example.com"},
		To:        []Address{{Name: "王芳", Addr: "wang@example.com"}, {Name: "Li, Lei", Addr: "li@example.com"}},
		Cc:        []Address{{Addr: "cc@example.com"}},
		Bcc:       []Address{{Name: "秘密", Addr: "hidden@example.com"}},
		Subject:   "关于2026年第一季度销售报告的讨论（请在周五之前回复，谢谢大家的配合）",
		Text:      "王芳你好：\n\n" + long + "\n\nplain ascii line",
		Signature: "陈明\n销售部",
		Attachments: []Part{
			{Filename: "季度报告（终稿）.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 binary \x00\xff data")},
			{Filename: "报告.txt", ContentType: "text/plain", Data: []byte("plain text attachment\n")},
			{Filename: strings.Repeat("很长的文件名", 8) + ".xlsx", Data: bytes.Repeat([]byte{1, 2, 3}, 1000)},
		},
		Date: time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)),
	}
	raw := mustBuild(t, o)
	head := headerBlock(raw)
	// By field name, not substring: a random boundary or Message-ID may
	// well contain the hex digits "bcc".
	for _, l := range strings.Split(head, "\r\n") {
		if name, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "bcc") {
			t.Fatalf("Bcc field in the header:\n%s", head)
		}
	}
	if strings.Contains(head, "hidden@") || strings.Contains(head, mime.BEncoding.Encode("UTF-8", "秘密")) {
		t.Fatalf("Bcc recipient leaked into the header:\n%s", head)
	}
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 78 {
			t.Errorf("header line longer than 78: %q", l)
		}
	}
	if o.MessageID == "" || !strings.HasSuffix(o.MessageID, "@example.com") {
		t.Fatalf("Message-ID %q", o.MessageID)
	}
	p, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) > 0 {
		t.Errorf("problems: %v", p.Problems)
	}
	if p.Subject != o.Subject {
		t.Errorf("subject %q", p.Subject)
	}
	if len(p.From) != 1 || p.From[0] != o.From {
		t.Errorf("from %v", p.From)
	}
	if len(p.To) != 2 || p.To[0] != o.To[0] || p.To[1] != o.To[1] {
		t.Errorf("to %v", p.To)
	}
	if len(p.Bcc) != 0 {
		t.Errorf("bcc %v", p.Bcc)
	}
	if p.MessageID != o.MessageID || !p.Date.Equal(o.Date) {
		t.Errorf("id %q date %v", p.MessageID, p.Date)
	}
	if !strings.Contains(p.Text, long) || !strings.Contains(p.Text, "\n-- \n陈明\n销售部") {
		t.Errorf("text %q", p.Text)
	}
	if len(p.Attachments) != 3 {
		t.Fatalf("attachments %v", p.Attachments)
	}
	for i, a := range p.Attachments {
		if a.Filename != o.Attachments[i].Filename {
			t.Errorf("attachment %d name %q, want %q", i, a.Filename, o.Attachments[i].Filename)
		}
		data, err := PartData(raw, a.PartPath)
		if err != nil || !bytes.Equal(data, o.Attachments[i].Data) {
			t.Errorf("attachment %d bytes differ (%v)", i, err)
		}
	}
	if got := o.Recipients(); strings.Join(got, ",") != "wang@example.com,li@example.com,cc@example.com,hidden@example.com" {
		t.Errorf("envelope %v", got)
	}
	// The legacy forms Outlook and Foxmail read are there too.
	if !strings.Contains(string(raw), `name="=?UTF-8?B?`) {
		t.Error("no RFC 2047 name= parameter")
	}
	if !strings.Contains(string(raw), "filename*0*=UTF-8''") || !strings.Contains(string(raw), "filename*=UTF-8''") {
		t.Error("no RFC 2231 filename* parameter")
	}
}

func TestBuildTransferEncodings(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"short ascii\nlines", "7bit"},
		{strings.Repeat("word ", 40), "quoted-printable"},
		{"mostly ascii with 一 char", "quoted-printable"},
		{"几乎全是中文的正文内容", "base64"},
	} {
		o := &Outgoing{From: Address{Addr: "a@x.test"}, To: []Address{{Addr: "b@x.test"}}, Text: tc.text}
		raw := mustBuild(t, o)
		if !strings.Contains(headerBlock(raw), "Content-Transfer-Encoding: "+tc.want) {
			t.Errorf("%q: want %s\n%s", tc.text, tc.want, headerBlock(raw))
		}
		for _, l := range strings.Split(string(raw), "\r\n") {
			if len(l) > 78 {
				t.Errorf("%q: line of %d", tc.text, len(l))
			}
		}
		p, _ := Parse(raw)
		if strings.TrimSpace(p.Text) != strings.TrimSpace(tc.text) {
			t.Errorf("round trip %q → %q", tc.text, p.Text)
		}
	}
}

func TestBuildRefusesWithoutSenderOrRecipients(t *testing.T) {
	if _, err := (&Outgoing{To: []Address{{Addr: "b@x"}}}).Build(); err != ErrNoSender {
		t.Errorf("no sender: %v", err)
	}
	if _, err := (&Outgoing{From: Address{Addr: "a@x"}}).Build(); err != ErrNoRecipient {
		t.Errorf("no recipient: %v", err)
	}
	// Bcc alone is a valid send.
	if _, err := (&Outgoing{From: Address{Addr: "a@x"}, Bcc: []Address{{Addr: "b@x"}}}).Build(); err != nil {
		t.Errorf("bcc only: %v", err)
	}
}

func TestSignatureAboveQuote(t *testing.T) {
	o := Outgoing{Text: "好的\n", Signature: "陈明", Quote: "> 原文"}
	if got, want := o.Body(), "好的\n\n-- \n陈明\n\n> 原文\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	o.Signature = ""
	if got := o.Body(); got != "好的\n\n> 原文\n" {
		t.Errorf("no signature: %q", got)
	}
}

func TestDraftKeepsBccAndReopens(t *testing.T) {
	o := &Outgoing{From: Address{Name: "陈明", Addr: "chen@example.com"}, Bcc: []Address{{Name: "老板", Addr: "boss@example.com"}},
		Subject: "未完成", Text: "写到一半", InReplyTo: "p@x", References: []string{"p@x"}, Draft: true,
		Attachments: []Part{{Filename: "图.png", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}}}}
	raw := mustBuild(t, o)
	back, err := Reopen(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Bcc) != 1 || back.Bcc[0] != o.Bcc[0] || back.Subject != "未完成" || back.Text != "写到一半" ||
		back.InReplyTo != "p@x" || len(back.Attachments) != 1 || !bytes.Equal(back.Attachments[0].Data, o.Attachments[0].Data) {
		t.Fatalf("reopened %+v", back)
	}
	if _, err := (&Outgoing{Draft: true}).Build(); err != nil {
		t.Errorf("an empty draft: %v", err)
	}
}
