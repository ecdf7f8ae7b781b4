package mailsync

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// systemFlags maps IMAP system flags (RFC 3501 §2.3.2) and $Forwarded
// (RFC 5550) to the store's bitmask; everything else is a keyword.
var systemFlags = [...]struct {
	imap  imap.Flag
	store store.Flags
}{
	{imap.FlagSeen, store.FlagSeen},
	{imap.FlagAnswered, store.FlagAnswered},
	{imap.FlagFlagged, store.FlagFlagged},
	{imap.FlagDeleted, store.FlagDeleted},
	{imap.FlagDraft, store.FlagDraft},
	{imap.FlagForwarded, store.FlagForwarded},
}

// fromIMAPFlags splits IMAP flags into the store's bits and keywords.
// \Recent is session state (RFC 3501 §2.3.2) and is dropped.
func fromIMAPFlags(flags []imap.Flag) (store.Flags, []string) {
	var bits store.Flags
	var keywords []string
next:
	for _, f := range flags {
		for _, sf := range systemFlags {
			if strings.EqualFold(string(f), string(sf.imap)) {
				bits |= sf.store
				continue next
			}
		}
		if strings.EqualFold(string(f), `\Recent`) || strings.HasPrefix(string(f), `\`) {
			continue
		}
		keywords = append(keywords, string(f))
	}
	return bits, keywords
}

// toIMAPFlags is the inverse of fromIMAPFlags.
func toIMAPFlags(bits store.Flags, keywords []string) []imap.Flag {
	var out []imap.Flag
	for _, sf := range systemFlags {
		if bits.Has(sf.store) {
			out = append(out, sf.imap)
		}
	}
	for _, k := range keywords {
		out = append(out, imap.Flag(k))
	}
	return out
}

// storeRole turns account's folder role into the store's.
func storeRole(r account.Role) store.Role { return store.Role(r) }

// headerMessage builds the store row for a message from its FETCH data:
// UID, flags, dates, size and the raw header block (BODY.PEEK[HEADER]).
func headerMessage(buf *imapclient.FetchMessageBuffer, header []byte) store.Message {
	m := store.Message{
		UID:          store.UID(buf.UID),
		InternalDate: buf.InternalDate,
		Size:         buf.RFC822Size,
		ModSeq:       buf.ModSeq,
	}
	m.Flags, m.Keywords = fromIMAPFlags(buf.Flags)
	// Only the fields the row keeps: Parse would also walk the (absent)
	// body and render its text.
	p, rcpt, err := message.HeaderView(header)
	if err != nil {
		return m
	}
	m.MsgID, m.InReplyTo, m.References = p.MessageID, p.InReplyTo, p.References
	if m.MsgID == "" {
		m.MsgID = syntheticMsgID(header)
	}
	m.Subject, m.Date = p.Subject, p.Date
	if len(p.From) > 0 {
		m.From = store.Address{Name: p.From[0].Name, Addr: p.From[0].Addr}
	}
	m.To, m.Cc = addrs(rcpt.To), addrs(rcpt.Cc)
	// A guess until the body is fetched: mixed or application content
	// usually carries attachments. PutBody corrects it.
	m.HasAttachment = attachmentGuess(header)
	return m
}

// syntheticMsgID names a message that has no Message-ID by a hash of its
// header block, as notmuch does, so that it can be recognised again (after
// a UIDVALIDITY reset, a move by another client) without downloading it.
// It never leaves Magpie: it is not a header, only a store key.
func syntheticMsgID(header []byte) string {
	sum := sha256.Sum256(header)
	return "magpie-sha256-" + hex.EncodeToString(sum[:16])
}

func addrs(in []message.Address) []store.Address {
	out := make([]store.Address, 0, len(in))
	for _, a := range in {
		out = append(out, store.Address{Name: a.Name, Addr: a.Addr})
	}
	return out
}

// bodyOf turns a raw message into what the store indexes.
func bodyOf(raw []byte) store.Body {
	b := store.Body{Raw: raw}
	p, err := message.Parse(raw)
	if err != nil || p == nil {
		return b
	}
	b.Text, b.Preview = p.Text, p.Preview
	has := p.HasAttachments
	b.HasAttachment = &has
	return b
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// attachmentGuess reports whether a header block declares a Content-Type
// that usually carries attachments: multipart/mixed, application/…, or
// multipart/related with "application" on the rest of its line or the
// next. It is what the regular expression
//
//	(?im)^content-type:\s*(multipart/mixed|application/|multipart/related.*\n?.*application)
//
// matches (TestAttachmentGuess holds them equal), without the
// backtracking that made it a tenth of the header pass's parsing time.
func attachmentGuess(header []byte) bool {
	for line := 0; line < len(header); {
		if v, ok := cutFold(header[line:], "content-type:"); ok {
			v = bytes.TrimLeft(v, " \t\n\f\r") // the regexp's \s
			if hasPrefixFold(v, "multipart/mixed") || hasPrefixFold(v, "application/") {
				return true
			}
			if rest, ok := cutFold(v, "multipart/related"); ok {
				// The rest of this line, and the next one.
				end := bytes.IndexByte(rest, '\n')
				if end >= 0 {
					if next := bytes.IndexByte(rest[end+1:], '\n'); next >= 0 {
						end += 1 + next
					} else {
						end = len(rest)
					}
				} else {
					end = len(rest)
				}
				if containsFold(rest[:end], "application") {
					return true
				}
			}
		}
		nl := bytes.IndexByte(header[line:], '\n')
		if nl < 0 {
			break
		}
		line += nl + 1
	}
	return false
}

// hasPrefixFold is bytes.HasPrefix ignoring ASCII case (prefix is lower
// case).
func hasPrefixFold(s []byte, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// cutFold returns what follows prefix (lower case) when s starts with it,
// ignoring ASCII case.
func cutFold(s []byte, prefix string) ([]byte, bool) {
	if !hasPrefixFold(s, prefix) {
		return nil, false
	}
	return s[len(prefix):], true
}

// containsFold reports whether s holds sub (lower case), ignoring ASCII
// case.
func containsFold(s []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}
