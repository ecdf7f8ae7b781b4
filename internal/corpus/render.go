package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
)

// headerCharset is the charset of a message's encoded-words: its body
// charset when that is a legacy Chinese one and can hold s, else UTF-8.
func headerCharset(s, label string) string {
	if enc := encoderFor(label); enc != nil {
		if _, err := enc.NewEncoder().String(s); err == nil {
			return label
		}
	}
	return "UTF-8"
}

// render writes the message described by s.
func render(s *spec, rng *rand.Rand) []byte {
	var h strings.Builder
	hdr := func(name, value string) {
		h.WriteString(name + ": " + value + crlf)
	}
	hdr("Date", s.date.Format(time.RFC1123Z))
	hdr("From", mailbox(s.from, headerCharset(s.from.name, s.charset), s.qWords))
	hdr("To", mailboxes(s.to, s.charset, s.qWords))
	if len(s.cc) > 0 {
		hdr("Cc", mailboxes(s.cc, s.charset, s.qWords))
	}
	if s.malformed == "raw-8bit-header" {
		h.WriteString("Subject: ")
		h.Write(encodeText(s.subject, "GB18030"))
		h.WriteString(crlf)
	} else {
		hdr("Subject", encodeWord(s.subject, headerCharset(s.subject, s.charset), s.qWords))
	}
	if s.id != "" {
		hdr("Message-ID", "<"+s.id+">")
	}
	if s.inReplyTo != "" {
		hdr("In-Reply-To", "<"+s.inReplyTo+">")
		hdr("References", "<"+strings.Join(s.refs, ">"+crlf+" <")+">")
	}
	if s.mailer != "" {
		hdr("X-Mailer", s.mailer)
	}
	hdr("MIME-Version", "1.0")

	body := bodyEntity(s, rng)
	if len(s.attachments) > 0 {
		body = mixed(s, body, rng)
	}
	raw := append([]byte(h.String()), body...)
	if s.malformed == "truncated" {
		// Cut inside the last attachment: no closing delimiter survives.
		raw = raw[:len(raw)-len(s.attachments[len(s.attachments)-1].data)/2]
		raw = append(raw, crlf...)
	}
	return raw
}

func mailboxes(ps []person, label string, q bool) string {
	var out []string
	for _, p := range ps {
		out = append(out, mailbox(p, headerCharset(p.name, label), q))
	}
	return strings.Join(out, ","+crlf+" ")
}

// bodyEntity renders the readable body (plain, HTML or alternative) as an
// entity: its Content-* header lines, an empty line, and its body.
func bodyEntity(s *spec, rng *rand.Rand) []byte {
	plain := plainText(s)
	switch s.shape {
	case "html":
		return textEntity(htmlBody(s.paras, s.id, s.charset), "html", s)
	case "alternative":
		b := boundary(rng)
		var out bytes.Buffer
		out.WriteString("Content-Type: multipart/alternative; boundary=\"" + b + "\"" + crlf + crlf)
		out.WriteString("--" + b + crlf)
		out.Write(textEntity(plain, "plain", s))
		out.WriteString("--" + b + crlf)
		out.Write(textEntity(htmlBody(s.paras, s.id, s.charset), "html", s))
		out.WriteString("--" + b + "--" + crlf)
		return out.Bytes()
	}
	return textEntity(plain, "plain", s)
}

// plainText is the text/plain body: paragraphs, a quote for replies, and
// a signature.
func plainText(s *spec) string {
	var b strings.Builder
	b.WriteString(strings.Join(s.paras, "\n\n"))
	if s.inReplyTo != "" {
		if s.lang == "zh" {
			fmt.Fprintf(&b, "\n\n在 %s，%s 写道：\n> ", s.date.Add(-26*time.Hour).Format("2006年1月2日 15:04"), s.from.addr)
		} else {
			fmt.Fprintf(&b, "\n\nOn %s, %s wrote:\n> ", s.date.Add(-26*time.Hour).Format("Mon, 2 Jan 2006 15:04"), s.from.addr)
		}
		b.WriteString(s.paras[0])
	}
	b.WriteString("\n\n-- \n")
	b.WriteString(s.sign)
	return b.String()
}

// textEntity encodes a text/plain or text/html part in the message's
// charset and transfer encoding (damaged as s.malformed asks).
func textEntity(text, subtype string, s *spec) []byte {
	label := s.charset
	data := encodeText(text, label)
	if s.malformed == "unknown-charset" {
		label = "x-magpie-unknown"
		data = []byte(text)
	}
	cte := s.cte
	if s.malformed == "bad-base64" || (subtype == "html" && (cte == "8bit" || cte == "7bit") && hasLongLine(data, 900)) {
		cte = "base64"
	}
	var out bytes.Buffer
	out.WriteString("Content-Type: text/" + subtype + "; charset=" + label + crlf)
	out.WriteString("Content-Transfer-Encoding: " + cte + crlf + crlf)
	switch cte {
	case "base64":
		enc := base64Lines(data)
		if s.malformed == "bad-base64" {
			enc = damageBase64(enc)
		}
		out.Write(enc)
	case "quoted-printable":
		out.Write(qpLines(data))
	default:
		if subtype == "html" {
			out.Write(bytes.ReplaceAll(data, []byte("\n"), []byte(crlf)))
			break
		}
		if label == "utf-8" || label == "us-ascii" || label == "x-magpie-unknown" {
			out.WriteString(wrapText(text, 76))
		} else {
			out.Write(encodeText(wrapText(text, 76), label))
		}
	}
	return out.Bytes()
}

// damageBase64 puts characters outside the alphabet into base64 text and
// cuts its last line short, as broken gateways do.
func damageBase64(b []byte) []byte {
	lines := bytes.Split(bytes.TrimRight(b, crlf), []byte(crlf))
	for k := range lines {
		if k%3 == 1 && len(lines[k]) > 10 {
			lines[k] = append(append(bytes.Clone(lines[k][:10]), "!*"...), lines[k][10:]...)
		}
	}
	last := lines[len(lines)-1]
	if len(last) > 1 {
		lines[len(lines)-1] = last[:len(last)-1]
	}
	return append(bytes.Join(lines, []byte(crlf)), crlf...)
}

// mixed wraps the readable body and the attachments in multipart/mixed.
func mixed(s *spec, body []byte, rng *rand.Rand) []byte {
	b := boundary(rng)
	delim := b
	if s.malformed == "bad-boundary" {
		delim = b + "-X"
	}
	var out bytes.Buffer
	out.WriteString("Content-Type: multipart/mixed; boundary=\"" + b + "\"" + crlf + crlf)
	out.WriteString("This is a multi-part message in MIME format." + crlf + crlf)
	out.WriteString("--" + delim + crlf)
	out.Write(body)
	for _, a := range s.attachments {
		out.WriteString("--" + delim + crlf)
		out.Write(attachmentEntity(a))
	}
	out.WriteString("--" + delim + "--" + crlf)
	return out.Bytes()
}

func attachmentEntity(a attachment) []byte {
	var out bytes.Buffer
	encoded := mime.BEncoding.Encode("UTF-8", a.name)
	switch a.style {
	case "rfc2047":
		out.WriteString("Content-Type: " + a.ctype + "; name=\"" + encoded + "\"" + crlf)
		out.WriteString("Content-Disposition: attachment; filename=\"" + encoded + "\"" + crlf)
	case "both":
		out.WriteString("Content-Type: " + a.ctype + "; name=\"" + encoded + "\"" + crlf)
		out.WriteString("Content-Disposition: attachment; filename=\"" + encoded + "\";" + crlf + " " + rfc2231("filename", a.name) + crlf)
	default:
		out.WriteString("Content-Type: " + a.ctype + crlf)
		out.WriteString("Content-Disposition: attachment;" + crlf + " " + rfc2231("filename", a.name) + crlf)
	}
	out.WriteString("Content-Transfer-Encoding: base64" + crlf + crlf)
	out.Write(base64Lines(a.data))
	return out.Bytes()
}

func boundary(rng *rand.Rand) string {
	return fmt.Sprintf("----=_Part_%08x_%08x", rng.Uint32(), rng.Uint32())
}

// hasLongLine reports a line longer than n bytes (RFC 5322 §2.1.1 allows
// 998; HTML is not wrapped, so long HTML goes base64 instead).
func hasLongLine(b []byte, n int) bool {
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > n {
			return true
		}
	}
	return false
}
