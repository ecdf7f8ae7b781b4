package message

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// want is what a corpus message must parse to. Empty fields are not checked.
type want struct {
	messageID, inReplyTo string
	references           []string
	subject              string
	from                 []Address
	to, cc               []Address
	date                 string // RFC 3339, "zero" for the zero time
	text                 []string
	notText              []string
	links                []string
	attachments          []Attachment
	hasAttachments       bool
	preview              string
	problems             []string // substrings that must appear in Problems
}

var zhang = []Address{{Name: "Zhang San", Addr: "zhang@example.cn"}}

func corpusWants() map[string]want {
	return map[string]want{
		"valid/gbk_subject.eml": {messageID: "gbk-1@example.cn", subject: "关于合同的会议纪要", from: zhang,
			to: []Address{{Addr: "li@example.cn"}}, date: "2026-06-01T09:30:00+08:00", text: []string{"各位好，附件是本周会议纪要。"}},
		"valid/gb2312_misdeclared.eml": {subject: "致朱镕基和王喆", text: []string{"朱镕基、王喆：报价单已更新。"}},
		"valid/big5_body.eml":          {subject: "會議紀要", text: []string{"請查收本週的會議紀要與發票。"}},
		"valid/iso2022jp.eml":          {subject: "会議のお知らせ", text: []string{"明日の会議は十時からです。"}},
		"valid/cjk_mixed.eml":          {subject: "日本語", text: []string{"こんにちは世界", "안녕하세요"}},
		"valid/rfc2231_filename.eml": {subject: "合同", text: []string{"请查收附件。"}, hasAttachments: true,
			attachments: []Attachment{
				{Filename: "合同草案（第二版）.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: 10, PartPath: "2"},
				{Filename: "发票.pdf", ContentType: "application/pdf", Size: 9, PartPath: "3"},
			}},
		"valid/rfc2047_filename.eml": {hasAttachments: true, attachments: []Attachment{
			{Filename: "报价单2026.xlsx", ContentType: "application/vnd.ms-excel", Size: 6, PartPath: "2"}}},
		"valid/nested_alternative.eml": {text: []string{"Plain version 你好, a long line that is soft broken."},
			notText: []string{"HTML version", "preamble", "Epilogue"}, hasAttachments: true,
			attachments: []Attachment{
				{Filename: "attachment", ContentType: "image/png", Size: 8, PartPath: "1.2.2", Inline: true},
				{Filename: "report.pdf", ContentType: "application/pdf", Size: 19, PartPath: "2"},
			}},
		"valid/rfc822_attachment.eml": {subject: "Fwd: 发票", text: []string{"转发一封邮件。"}, notText: []string{"原始内容"},
			attachments: []Attachment{{Filename: "发票.eml", ContentType: "message/rfc822", Size: 150, PartPath: "2", Inline: true}}},
		"valid/html_only.eml": {
			text:    []string{"Welcome & hello", "Read the latest post [1] or write to us [2].", "- First\n- Second", "1. One\n2. Two", "click <not a tag> 你好"},
			notText: []string{"alert", "evil", "color", "comment", "pixel", "javascript", "[3]"},
			links:   []string{"https://example.com/post?id=1&x=2", "mailto:team@example.com"}},
		"valid/lf.eml": {subject: "Line ends", text: []string{"第一行\n第二行"}, hasAttachments: true,
			attachments: []Attachment{{Filename: "data.csv", ContentType: "text/csv", Size: 7, PartPath: "2"}}},
		"valid/crlf.eml": {subject: "Line ends", text: []string{"第一行\n第二行"}, notText: []string{"\r"}, hasAttachments: true,
			attachments: []Attachment{{Filename: "data.csv", ContentType: "text/csv", Size: 8, PartPath: "2"}}},
		"valid/reply_thread.eml": {messageID: "reply-2@example.cn", inReplyTo: "gbk-1@example.cn",
			references: []string{"root-0@example.cn", "gbk-1@example.cn"}, subject: "Re: 关于合同",
			from: []Address{{Name: "李四", Addr: "li@example.cn"}},
			to:   []Address{{Name: "Zhang, San", Addr: "zhang@example.cn"}, {Addr: "a@example.cn"}, {Addr: "b@example.cn"}},
			cc:   []Address{{Name: "Carol", Addr: "c@example.cn"}}, date: "2026-06-02T08:00:00+08:00",
			preview: "好的，收到。"},

		"malformed/truncated_multipart.eml": {text: []string{"This part is complete."}, problems: []string{"no closing boundary"},
			attachments: []Attachment{{Filename: "cut.pdf", ContentType: "application/pdf", Size: 10, PartPath: "2"}}, hasAttachments: true},
		"malformed/missing_headers.eml":       {subject: "only a subject", date: "zero", text: []string{"body without From or Date"}, problems: []string{"no From", "no Date"}},
		"malformed/no_header_at_all.eml":      {text: []string{"just a body"}, problems: []string{"no header fields"}},
		"malformed/header_only.eml":           {subject: "no body at all", from: []Address{{Addr: "a@example.cn"}}},
		"malformed/bad_base64.eml":            {text: []string{"你好世"}, problems: []string{"broken base64"}},
		"malformed/unknown_charset.eml":       {subject: "hello", text: []string{"plain ascii body"}, problems: []string{`unknown charset "x-klingon"`}},
		"malformed/raw_8bit_headers.eml":      {subject: "报价单（第三版）", from: []Address{{Name: "张三", Addr: "zhang@example.cn"}}, text: []string{"正文"}, problems: []string{"8-bit header"}},
		"malformed/raw_8bit_no_hint.eml":      {subject: "会议纪要", problems: []string{"8-bit header"}},
		"malformed/bad_date.eml":              {date: "zero", problems: []string{"unparseable date"}},
		"malformed/no_boundary.eml":           {text: []string{"the body is just text"}, problems: []string{"without boundary"}},
		"malformed/wrong_boundary.eml":        {text: []string{"hidden"}, problems: []string{"never found"}},
		"malformed/bad_qp.eml":                {text: []string{"price =ZZ 100 你ok"}, problems: []string{"broken quoted-printable"}},
		"malformed/split_multibyte_words.eml": {subject: "会议纪要"},
		"malformed/bad_params.eml":            {text: []string{"你好"}, problems: []string{"malformed MIME parameter"}},
		"malformed/garbage.eml":               {problems: []string{"no header fields"}},
		"malformed/bad_header_lines.eml":      {subject: "still fine", from: []Address{{Addr: "ok@example.cn"}}, problems: []string{"malformed header line"}},

		"hostile/escapes.eml": {subject: "Hellored", from: []Address{{Name: "Evil", Addr: "evil@example.com"}},
			text: []string{"line oneclick\nC1 CSI and  done\nbell backspace\ncarriage"}, notText: []string{"pwned", "evil.example", "31m", "dcs payload"}},
		"hostile/raw_c1.eml": {text: []string{"latin1 body with  raw C1"}},
		"hostile/filenames.eml": {hasAttachments: true, attachments: []Attachment{
			{Filename: "invoicefdp.exe", ContentType: "application/octet-stream", Size: 2, PartPath: "2"},
			{Filename: "passwd", ContentType: "application/octet-stream", Size: 1, PartPath: "3"},
			{Filename: "_CON.txt", ContentType: "text/plain", Size: 1, PartPath: "4"},
			{Filename: "evil.bat", ContentType: "application/octet-stream", Size: 1, PartPath: "5"},
			{Filename: "report.pdf", ContentType: "application/octet-stream", Size: 1, PartPath: "6"},
			{Filename: "attachment", ContentType: "application/octet-stream", Size: 1, PartPath: "7"},
		}},
		"hostile/long_subject.eml": {problems: []string{"subject longer than"}},
		"hostile/zero_width.eml": {subject: "Account exe.pdf alert", from: []Address{{Name: "PayPal Support", Addr: "support@example.com"}},
			text: []string{"verify now family: 👨\u200d👩\u200d👧 ok"}},
	}
}

func TestParseCorpus(t *testing.T) {
	wants := corpusWants()
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		name := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		t.Run(name, func(t *testing.T) {
			w, ok := wants[name]
			if !ok {
				t.Fatalf("corpus file %s has no expectations", name)
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkParsed(t, name, p, w)
			checkParsedSafe(t, p)
		})
	}
}

func checkParsed(t *testing.T, name string, p *Parsed, w want) {
	t.Helper()
	strEq := func(what, got, want string) {
		if want != "" && got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	strEq("MessageID", p.MessageID, w.messageID)
	strEq("InReplyTo", p.InReplyTo, w.inReplyTo)
	strEq("Subject", p.Subject, w.subject)
	strEq("Preview", p.Preview, w.preview)
	if w.references != nil && !slices.Equal(p.References, w.references) {
		t.Errorf("References = %q, want %q", p.References, w.references)
	}
	for _, c := range []struct {
		what      string
		got, want []Address
	}{{"From", p.From, w.from}, {"To", p.To, w.to}, {"Cc", p.Cc, w.cc}} {
		if len(c.want) > 0 && !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	switch w.date {
	case "":
	case "zero":
		if !p.Date.IsZero() {
			t.Errorf("Date = %v, want zero", p.Date)
		}
	default:
		wd, err := time.Parse(time.RFC3339, w.date)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Date.Equal(wd) {
			t.Errorf("Date = %v, want %v", p.Date, wd)
		}
		if _, off := p.Date.Zone(); func() int { _, o := wd.Zone(); return o }() != off {
			t.Errorf("Date zone offset = %d, want that of %v", off, wd)
		}
	}
	for _, s := range w.text {
		if !strings.Contains(p.Text, s) {
			t.Errorf("Text %q does not contain %q", p.Text, s)
		}
	}
	for _, s := range w.notText {
		if strings.Contains(p.Text, s) {
			t.Errorf("Text %q contains %q", p.Text, s)
		}
	}
	if w.links != nil && !slices.Equal(p.Links, w.links) {
		t.Errorf("Links = %q, want %q", p.Links, w.links)
	}
	if w.attachments != nil && !slices.Equal(p.Attachments, w.attachments) {
		t.Errorf("Attachments = %+v, want %+v", p.Attachments, w.attachments)
	}
	if p.HasAttachments != w.hasAttachments {
		t.Errorf("HasAttachments = %v, want %v", p.HasAttachments, w.hasAttachments)
	}
	for _, s := range w.problems {
		if !slices.ContainsFunc(p.Problems, func(p string) bool { return strings.Contains(p, s) }) {
			t.Errorf("Problems %q lack %q", p.Problems, s)
		}
	}
	if strings.HasPrefix(name, "valid/") && len(p.Problems) > 0 {
		t.Errorf("valid mail has problems: %q", p.Problems)
	}
	if strings.HasPrefix(name, "malformed/") && len(p.Problems) == 0 && name != "malformed/split_multibyte_words.eml" && name != "malformed/header_only.eml" {
		t.Errorf("malformed mail parsed without a problem recorded")
	}
}

// checkParsedSafe asserts that every display field is sanitised.
func checkParsedSafe(t *testing.T, p *Parsed) {
	t.Helper()
	line := []string{p.Subject, p.Preview, p.MessageID, p.InReplyTo}
	line = append(line, p.References...)
	line = append(line, p.Links...)
	line = append(line, p.Problems...)
	for _, as := range [][]Address{p.From, p.To, p.Cc, p.Bcc, p.ReplyTo} {
		for _, a := range as {
			line = append(line, a.Name, a.Addr)
		}
	}
	for _, s := range line {
		checkSafeText(t, s, false)
	}
	checkSafeText(t, p.Text, true)
	for _, a := range p.Attachments {
		checkSafeFilename(t, a.Filename, a.Filename)
		checkSafeText(t, a.ContentType, false)
	}
	if len(p.Subject) > maxHeaderText {
		t.Errorf("Subject has %d bytes", len(p.Subject))
	}
}

func TestParseLineEndsAgree(t *testing.T) {
	lf, _ := os.ReadFile("testdata/valid/lf.eml")
	crlf, _ := os.ReadFile("testdata/valid/crlf.eml")
	a, err1 := Parse(lf)
	b, err2 := Parse(crlf)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if a.Text != b.Text || a.Subject != b.Subject || a.Attachments[0].Filename != b.Attachments[0].Filename {
		t.Fatalf("LF and CRLF parse differently:\n%+v\n%+v", a, b)
	}
}

func TestParseEmpty(t *testing.T) {
	if _, err := Parse(nil); err != ErrEmpty {
		t.Fatalf("Parse(nil) err = %v, want ErrEmpty", err)
	}
	if _, err := HeaderFields(nil); err != ErrEmpty {
		t.Fatalf("HeaderFields(nil) err = %v, want ErrEmpty", err)
	}
}

func TestHeaderFieldsAgreesWithParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		p, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		env, err := HeaderFields(raw)
		if err != nil {
			t.Fatal(err)
		}
		if env.MessageID != p.MessageID || env.Subject != p.Subject || !env.Date.Equal(p.Date) ||
			!slices.Equal(env.From, p.From) || env.InReplyTo != p.InReplyTo || !slices.Equal(env.References, p.References) {
			t.Errorf("%s: HeaderFields %+v disagrees with Parse", f, env)
		}
	}
}

// TestHeaderViewAgreesWithParse holds the sync's header path (HeaderView
// of BODY[HEADER]) to what Parse made of the same header block.
func TestHeaderViewAgreesWithParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		for _, in := range [][]byte{raw, rawHeader(raw)} {
			if len(in) == 0 {
				continue
			}
			p, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			env, rcpt, err := HeaderView(in)
			if err != nil {
				t.Fatal(err)
			}
			if env.MessageID != p.MessageID || env.Subject != p.Subject || !env.Date.Equal(p.Date) ||
				!slices.Equal(env.From, p.From) || env.InReplyTo != p.InReplyTo || !slices.Equal(env.References, p.References) ||
				!slices.Equal(rcpt.To, p.To) || !slices.Equal(rcpt.Cc, p.Cc) {
				t.Errorf("%s: HeaderView %+v %+v disagrees with Parse", f, env, rcpt)
			}
		}
	}
}

// rawHeader is raw up to and including its first empty line, as IMAP's
// BODY[HEADER] returns it.
func rawHeader(raw []byte) []byte {
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 {
			return raw[:i+len(sep)]
		}
	}
	return raw
}

func TestHeaderFieldsStopsAtBody(t *testing.T) {
	raw := []byte("Subject: real\nMessage-ID: <a@b>\n\nSubject: fake\nMessage-ID: <c@d>\n")
	env, err := HeaderFields(raw)
	if err != nil || env.Subject != "real" || env.MessageID != "a@b" {
		t.Fatalf("HeaderFields = %+v, %v", env, err)
	}
}

func TestPreviewTrimsQuotesAndSignature(t *testing.T) {
	text := "Thanks!\n\nOn Mon, Bob wrote:\n> old text\n-- \nAlice\n"
	if got := makePreview(text); got != "Thanks!" {
		t.Fatalf("makePreview = %q", got)
	}
	long := strings.Repeat("字 ", 500)
	if got := makePreview(long); len([]rune(got)) > PreviewRunes {
		t.Fatalf("preview has %d runes", len([]rune(got)))
	}
}
