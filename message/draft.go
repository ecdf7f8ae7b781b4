package message

import "strings"

// Reopen turns a saved draft (or any message) back into an Outgoing:
// addresses, subject, threading, text and attachments with their bytes.
// The text keeps its signature and quote inline (Signature and Quote stay
// empty), as the member last saw it.
func Reopen(raw []byte) (*Outgoing, error) {
	p, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	o := &Outgoing{
		To: p.To, Cc: p.Cc, Bcc: p.Bcc, ReplyTo: p.ReplyTo,
		Subject:   p.Subject,
		Text:      strings.TrimRight(p.Text, "\n"),
		InReplyTo: p.InReplyTo, References: p.References,
		Draft: true,
	}
	if len(p.From) > 0 {
		o.From = p.From[0]
	}
	for _, a := range p.Attachments {
		if a.Inline {
			continue
		}
		data, err := PartData(raw, a.PartPath)
		if err != nil {
			return nil, err
		}
		o.Attachments = append(o.Attachments, Part{Filename: a.Filename, ContentType: a.ContentType, Data: data})
	}
	return o, nil
}
