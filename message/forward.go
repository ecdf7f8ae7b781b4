package message

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	gomessage "github.com/emersion/go-message"
)

// ForwardLabels word the header block above an inline-forwarded message;
// the caller supplies them in the member's language.
type ForwardLabels struct {
	Banner                      string // e.g. "---- 转发的邮件 ----"
	From, Date, To, Cc, Subject string // field labels
	DateLayout                  string // time layout; empty: 2006-01-02 15:04
}

// ForwardOptions shape a forward. A nil pointer is a zero value.
type ForwardOptions struct {
	// AsAttachment attaches the original whole (message/rfc822, RFC 2046
	// §5.2.1) instead of quoting it.
	AsAttachment bool
	// From is the identity to send as.
	From   Address
	Labels ForwardLabels
}

// Forward prepares a forward of the message raw (parsed as orig): "Fwd: "
// subject, References to the original, and either the original text below
// a header block with its attachments attached again, or the original as
// an attached .eml. It fails only when an attachment cannot be read back.
func Forward(orig *Parsed, raw []byte, opt *ForwardOptions) (Outgoing, error) {
	if opt == nil {
		opt = &ForwardOptions{}
	}
	out := Outgoing{From: opt.From, Subject: ForwardSubject(orig.Subject)}
	if orig.MessageID != "" {
		out.References = append(append([]string{}, orig.References...), orig.MessageID)
	}
	if opt.AsAttachment {
		name := strings.TrimSpace(orig.Subject)
		if name == "" {
			name = "message"
		}
		out.Attachments = []Part{{
			Filename:    SafeFilename(truncateName(name, 60)) + ".eml",
			ContentType: "message/rfc822",
			Data:        raw,
		}}
		return out, nil
	}
	out.Quote = forwardBlock(orig, opt.Labels)
	for _, a := range orig.Attachments {
		if a.Inline {
			continue
		}
		data, err := PartData(raw, a.PartPath)
		if err != nil {
			return Outgoing{}, err
		}
		out.Attachments = append(out.Attachments, Part{Filename: a.Filename, ContentType: a.ContentType, Data: data})
	}
	return out, nil
}

func forwardBlock(orig *Parsed, l ForwardLabels) string {
	var b strings.Builder
	if l.Banner != "" {
		b.WriteString(l.Banner + "\n")
	}
	line := func(label, value string) {
		if value == "" {
			return
		}
		if label == "" {
			b.WriteString(value + "\n")
			return
		}
		b.WriteString(label + " " + value + "\n")
	}
	layout := l.DateLayout
	if layout == "" {
		layout = "2006-01-02 15:04"
	}
	line(orDefault(l.From, "From:"), joinAddresses(orig.From))
	if !orig.Date.IsZero() {
		line(orDefault(l.Date, "Date:"), orig.Date.Format(layout))
	}
	line(orDefault(l.To, "To:"), joinAddresses(orig.To))
	line(orDefault(l.Cc, "Cc:"), joinAddresses(orig.Cc))
	line(orDefault(l.Subject, "Subject:"), orig.Subject)
	b.WriteString("\n")
	b.WriteString(strings.TrimRight(normalizeNewlines(orig.Text), "\n") + "\n")
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func joinAddresses(list []Address) string {
	var parts []string
	for _, a := range list {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, ", ")
}

// maxPartData bounds what PartData reads from one part.
const maxPartData = 1 << 30

// PartData returns the body of the MIME part at an IMAP section path (RFC
// 3501 §6.4.5: "1", "2.1"; "" or "1" for a single-part message) with its
// transfer encoding undone. The numbering is the one Parse gives
// Attachment.PartPath.
func PartData(raw []byte, path string) ([]byte, error) {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, fmt.Errorf("message: part %q: %w", path, err)
	}
	if path != "" && (path != "1" || e.MultipartReader() != nil) {
		for _, seg := range strings.Split(path, ".") {
			n, err := strconv.Atoi(seg)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("message: bad part %q", path)
			}
			mr := e.MultipartReader()
			if mr == nil {
				return nil, fmt.Errorf("message: part %q not found", path)
			}
			for i := 1; i <= n; i++ {
				p, err := mr.NextPart()
				if p == nil {
					return nil, fmt.Errorf("message: part %q: %w", path, err)
				}
				e = p
			}
		}
	}
	return io.ReadAll(io.LimitReader(e.Body, maxPartData))
}
