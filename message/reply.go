package message

import (
	"strings"
	"unicode/utf8"
)

// ReplyOptions shape a reply. A nil options pointer is equivalent to a
// zero value (reply to the sender only, as the first identity).
type ReplyOptions struct {
	// All answers every recipient (reply-all), not only the sender.
	All bool
	// Own are the member's identities (every account's primary address,
	// aliases, business mailboxes, groups). They are never replied to, and
	// the one the original was addressed to becomes From; Own[0] otherwise.
	Own []Address
	// Self are the identities of the mailbox the original is in (empty:
	// Own). Mail from one of them is the member's own sent mail, answered
	// by continuing with its recipients; mail from another of the member's
	// mailboxes (the business mailbox answering the member) is answered
	// like anyone's.
	Self []Address
	// Attribution is the line above the quote ("陈明 wrote on …:"),
	// worded by the caller in the member's language; empty means none.
	Attribution string
}

// Reply prepares an answer to orig (RFC 5322 §3.6.4): the recipients
// (Reply-To, else From; with All also To and Cc), without the member's own
// identities; From set to the identity the original was sent to;
// "Re: " subject; In-Reply-To and References for threading; the original
// text quoted with "> ". Text and Signature are left for the caller.
func Reply(orig *Parsed, opt *ReplyOptions) Outgoing {
	if opt == nil {
		opt = &ReplyOptions{}
	}
	own := func(a Address) bool { return isOwn(opt.Own, a.Addr) }
	out := Outgoing{
		From:      pickIdentity(orig, opt.Own),
		Subject:   ReplySubject(orig.Subject),
		InReplyTo: orig.MessageID,
	}
	out.References = append(append([]string{}, orig.References...), orig.MessageID)
	if len(orig.References) == 0 && orig.InReplyTo != "" {
		// RFC 5322 §3.6.4: without References, the parent's In-Reply-To
		// starts the chain.
		out.References = []string{orig.InReplyTo, orig.MessageID}
	}
	self := opt.Self
	if len(self) == 0 {
		self = opt.Own
	}
	var to []Address
	toOwn := own
	switch {
	case len(orig.From) > 0 && isOwn(self, orig.From[0].Addr):
		// Replying to one's own sent mail continues with its recipients.
		to = orig.To
	case len(orig.ReplyTo) > 0:
		to = orig.ReplyTo
	default:
		to = orig.From
	}
	if len(orig.From) > 0 && !isOwn(self, orig.From[0].Addr) {
		// The sender may be another of the member's mailboxes: answered,
		// only the replying mailbox's own addresses are left out.
		toOwn = func(a Address) bool { return isOwn(self, a.Addr) }
	}
	seen := map[string]bool{}
	out.To = addUnique(nil, to, seen, toOwn)
	if opt.All {
		out.Cc = addUnique(nil, append(append([]Address{}, orig.To...), orig.Cc...), seen, own)
		if len(out.To) == 0 && len(out.Cc) > 0 {
			out.To, out.Cc = out.Cc[:1], out.Cc[1:]
		}
	}
	out.Quote = quoteText(orig.Text, opt.Attribution)
	return out
}

// addUnique appends the addresses of from not yet seen and not own.
func addUnique(dst, from []Address, seen map[string]bool, own func(Address) bool) []Address {
	for _, a := range from {
		k := strings.ToLower(strings.TrimSpace(a.Addr))
		if k == "" || seen[k] || own(a) {
			continue
		}
		seen[k] = true
		dst = append(dst, a)
	}
	return dst
}

func isOwn(own []Address, addr string) bool {
	for _, o := range own {
		if strings.EqualFold(strings.TrimSpace(o.Addr), strings.TrimSpace(addr)) {
			return true
		}
	}
	return false
}

// pickIdentity returns the member's identity the original was addressed
// to (To first, then Cc), else the first identity.
func pickIdentity(orig *Parsed, own []Address) Address {
	for _, list := range [][]Address{orig.To, orig.Cc} {
		for _, a := range list {
			for _, o := range own {
				if strings.EqualFold(o.Addr, a.Addr) {
					return o
				}
			}
		}
	}
	if len(own) > 0 {
		return own[0]
	}
	return Address{}
}

// ReplySubject prefixes "Re: " unless the subject already carries a reply
// prefix (Re:, RE:, 回复:, 答复: with ASCII or full-width colon).
func ReplySubject(s string) string {
	return prefixSubject(s, "Re: ", "re:", "re：", "回复:", "回复：", "答复:", "答复：")
}

// ForwardSubject prefixes "Fwd: " unless a forward prefix is there
// (Fwd:, Fw:, 转发:).
func ForwardSubject(s string) string {
	return prefixSubject(s, "Fwd: ", "fwd:", "fw:", "fwd：", "fw：", "转发:", "转发：")
}

func prefixSubject(s, prefix string, known ...string) string {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	for _, k := range known {
		if strings.HasPrefix(lower, k) {
			return t
		}
	}
	return prefix + t
}

// quoteText quotes text for a reply: each line prefixed with "> " (">" on
// quoted or empty lines, RFC 3676 §4.5 style), under the attribution.
func quoteText(text, attribution string) string {
	var b strings.Builder
	if attribution != "" {
		b.WriteString(attribution + "\n")
	}
	text = strings.TrimRight(normalizeNewlines(text), "\n")
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "" || strings.HasPrefix(l, ">"):
			b.WriteString(">" + l + "\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

// truncateName shortens a string used in a file name.
func truncateName(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
