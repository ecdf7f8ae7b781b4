// Package message turns raw RFC 5322 mail into what Magpie stores and
// shows, and makes hostile mail text safe for a terminal.
//
// Mail is hostile and often malformed. Parse and HeaderFields never fail on
// bad input: they record what was wrong in Problems and return everything
// they could read. Everything they return that is meant for display is
// already sanitised (SanitizeLine for one-line fields, SanitizeText for the
// body, SafeFilename for attachment names). Nothing remote is ever loaded.
//
// All functions are pure and safe for concurrent use.
package message

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrEmpty is returned by Parse and HeaderFields for empty input, the only
// input they refuse.
var ErrEmpty = errors.New("message: empty message")

// Parsed is a message as Magpie indexes and shows it.
type Parsed struct {
	MessageID  string   // without angle brackets; "" when absent
	InReplyTo  string   // first identifier of In-Reply-To, without brackets
	References []string // without brackets, in order, deduplicated
	Subject    string   // decoded, sanitised for one line
	From       []Address
	To         []Address
	Cc         []Address
	Bcc        []Address
	ReplyTo    []Address
	Date       time.Time // zero when missing or unparseable (see Problems)
	// Text is the readable body, sanitised: text/plain parts when there are
	// any, else HTML reduced to text with links numbered [1], [2], ….
	Text           string
	Links          []string // Links[i] is the target of "[i+1]" in Text
	Attachments    []Attachment
	HasAttachments bool // some attachment is not inline (Content-Disposition)
	Preview        string
	Problems       []string
}

// Attachment describes one attachment part. Its bytes stay in the raw
// message: fetch them by PartPath.
type Attachment struct {
	Filename    string // decoded and passed through SafeFilename
	ContentType string // lower-cased "type/subtype"
	Size        int    // decoded size in bytes
	PartPath    string // IMAP section number, e.g. "2" or "1.2"
	Inline      bool   // Content-Disposition inline, or a Content-ID without disposition
}

// Envelope is the cheap header-only view of a message (see HeaderFields).
type Envelope struct {
	MessageID  string
	InReplyTo  string
	References []string
	Subject    string
	From       []Address
	Date       time.Time
	Problems   []string
}

// maxHeaderText bounds decoded one-line header values (a 10k subject is an
// attack, not a subject); longer ones are cut on a rune boundary.
const maxHeaderText = 2048

// PreviewRunes is the length of Parsed.Preview in runes.
const PreviewRunes = 200

// HeaderFields reads only the header block of raw (up to the first empty
// line) and returns its Message-ID, In-Reply-To, References, Subject, From
// and Date, without looking at the body. It fails only on empty input.
// Undeclared 8-bit header bytes are decoded as Parse decodes them (with
// the top-level Content-Type charset as a hint), so both agree.
func HeaderFields(raw []byte) (Envelope, error) {
	if len(raw) == 0 {
		return Envelope{}, ErrEmpty
	}
	var probs problems
	head, _ := splitHeader(raw)
	h := parseHeader(head, &probs)
	env := envelopeOf(h, charsetHint(h), &probs)
	env.Problems = probs.list
	return env, nil
}

// Recipients are the To and Cc addresses of a header.
type Recipients struct {
	To, Cc []Address
}

// HeaderView is HeaderFields plus the To and Cc addresses, decoded as
// Parse decodes them: what a message's row needs before its body is
// fetched (the sync engine's header pass), without Parse's walk of the
// body parts and its text rendering.
func HeaderView(raw []byte) (Envelope, Recipients, error) {
	if len(raw) == 0 {
		return Envelope{}, Recipients{}, ErrEmpty
	}
	var probs problems
	head, _ := splitHeader(raw)
	h := parseHeader(head, &probs)
	hint := charsetHint(h)
	env := envelopeOf(h, hint, &probs)
	rcpt := Recipients{To: addrsOf(h, "To", hint, &probs), Cc: addrsOf(h, "Cc", hint, &probs)}
	env.Problems = probs.list
	return env, rcpt, nil
}

// addrsOf decodes the addresses of every name field of h.
func addrsOf(h header, name, hint string, probs *problems) []Address {
	var out []Address
	for _, v := range h.all(name) {
		out = append(out, parseAddressList(headerText(v, hint, probs), probs)...)
	}
	return out
}

// charsetHint returns the top-level Content-Type charset, which is the
// best guess for undeclared 8-bit bytes in the header.
func charsetHint(h header) string {
	ct, ok := h.get("Content-Type")
	if !ok {
		return ""
	}
	var scratch problems
	return parseMediaValue(ct, &scratch).params["charset"]
}

// envelopeOf decodes the envelope fields of a header.
func envelopeOf(h header, hint string, probs *problems) Envelope {
	var env Envelope
	if v, ok := h.get("Message-ID"); ok {
		env.MessageID = firstMsgID(v)
	}
	if v, ok := h.get("In-Reply-To"); ok {
		env.InReplyTo = firstMsgID(v)
	}
	if v, ok := h.get("References"); ok {
		env.References = parseMsgIDs(v)
	}
	subj, _ := h.get("Subject")
	env.Subject = oneLine(decodeWords(headerText(subj, hint, probs), probs), probs, "subject")
	if v, ok := h.get("From"); ok {
		env.From = parseAddressList(headerText(v, hint, probs), probs)
	} else {
		probs.add("message: no From header")
	}
	if v, ok := h.get("Date"); ok {
		if t, ok := parseDate(v); ok {
			env.Date = t
		} else {
			probs.add("message: unparseable date %q", truncateRunes(v, 80))
		}
	} else {
		probs.add("message: no Date header")
	}
	return env
}

// oneLine sanitises a header value for one-line display and bounds it.
func oneLine(s string, probs *problems, what string) string {
	s = SanitizeLine(s)
	if len(s) > maxHeaderText {
		probs.add("message: %s longer than %d bytes, cut", what, maxHeaderText)
		s = truncateBytes(s, maxHeaderText)
	}
	return s
}

// Parse reads a whole message. It fails only on empty input; everything
// else that is wrong is recorded in Problems and worked around.
func Parse(raw []byte) (*Parsed, error) {
	if len(raw) == 0 {
		return nil, ErrEmpty
	}
	var probs problems
	head, body := splitHeader(raw)
	h := parseHeader(head, &probs)
	if len(h) == 0 {
		probs.add("message: no header fields")
	}
	hint := charsetHint(h)
	env := envelopeOf(h, hint, &probs)
	p := &Parsed{
		MessageID:  env.MessageID,
		InReplyTo:  env.InReplyTo,
		References: env.References,
		Subject:    env.Subject,
		From:       env.From,
		Date:       env.Date,
	}
	addrs := func(name string) []Address { return addrsOf(h, name, hint, &probs) }
	p.To, p.Cc, p.Bcc, p.ReplyTo = addrs("To"), addrs("Cc"), addrs("Bcc"), addrs("Reply-To")

	w := &walker{probs: &probs, hint: hint}
	root := w.entityWithHeader(h, body, "", 0, "text/plain")
	if !root.isMultipart() {
		root.path = "1"
	}
	var texts []textPart
	w.collect(root, &texts, &p.Attachments)
	p.Text, p.Links = w.renderText(texts)
	for _, a := range p.Attachments {
		if !a.Inline {
			p.HasAttachments = true
		}
	}
	p.Preview = makePreview(p.Text)
	p.Problems = probs.list
	return p, nil
}

// textPart is a body part chosen for reading.
type textPart struct {
	html bool
	p    *part
}

// collect walks the tree: it chooses the readable text parts (preferring
// text/plain inside multipart/alternative) and lists every attachment.
func (w *walker) collect(p *part, texts *[]textPart, atts *[]Attachment) {
	if !p.isMultipart() {
		if p.isAttachment() {
			*atts = append(*atts, w.attachment(p))
			return
		}
		*texts = append(*texts, textPart{html: p.ctype.value == "text/html", p: p})
		return
	}
	if p.ctype.value != "multipart/alternative" {
		for _, c := range p.children {
			w.collect(c, texts, atts)
		}
		return
	}
	// Alternatives: read the best one, but list attachments of all of them.
	type alt struct {
		texts []textPart
		atts  []Attachment
	}
	alts := make([]alt, len(p.children))
	best, bestScore := -1, 0
	for i, c := range p.children {
		w.collect(c, &alts[i].texts, &alts[i].atts)
		score := 0
		for _, t := range alts[i].texts {
			if t.html {
				score = max(score, 1)
			} else if len(strings.TrimSpace(string(t.p.body))) > 0 {
				score = 2
			}
		}
		if score > bestScore || (score == bestScore && score > 0 && best < 0) {
			best, bestScore = i, score
		}
	}
	for i, a := range alts {
		if i == best {
			*texts = append(*texts, a.texts...)
		}
		*atts = append(*atts, a.atts...)
	}
}

// attachment describes an attachment leaf.
func (w *walker) attachment(p *part) Attachment {
	name := p.filename()
	if name == "" && p.ctype.value == "message/rfc822" {
		head, _ := splitHeader(p.body)
		var scratch problems
		if subj, ok := parseHeader(head, &scratch).get("Subject"); ok {
			name = decodeWords(headerText(subj, w.hint, &scratch), &scratch) + ".eml"
		}
	}
	_, hasCID := p.header.get("Content-ID")
	return Attachment{
		Filename:    SafeFilename(name),
		ContentType: SanitizeLine(p.ctype.value),
		Size:        w.decodedLen(p),
		PartPath:    p.path,
		Inline:      p.disposition.value == "inline" || (p.disposition.value == "" && hasCID),
	}
}

// renderText decodes the chosen text parts and joins them.
func (w *walker) renderText(texts []textPart) (string, []string) {
	var chunks []string
	var links []string
	for _, t := range texts {
		raw := w.decodedBody(t.p)
		cs := t.p.ctype.params["charset"]
		if t.html && cs == "" {
			cs = htmlMetaCharset(raw)
		}
		s := decodeCharset(raw, cs, w.probs)
		if t.html {
			ht := htmlToText(s, len(links)+1)
			links = append(links, ht.links...)
			s = ht.text
		}
		s = strings.TrimRight(SanitizeText(s), "\n\t ")
		if s != "" {
			chunks = append(chunks, s)
		}
	}
	for i, l := range links {
		links[i] = SanitizeLine(l)
	}
	return strings.Join(chunks, "\n\n"), links
}

// htmlMetaCharset finds <meta charset=…> or http-equiv content charset in
// the first 2 KB of an HTML document.
func htmlMetaCharset(b []byte) string {
	head := strings.ToLower(string(b[:min(len(b), 2048)]))
	i := strings.Index(head, "charset=")
	if i < 0 || !strings.Contains(head[:i], "<meta") {
		return ""
	}
	v := strings.TrimLeft(head[i+len("charset="):], `"' `)
	end := strings.IndexAny(v, `"' ;/>`)
	if end < 0 {
		return ""
	}
	return v[:end]
}

// makePreview builds the one-line preview: quoted lines, attribution lines
// and everything from a signature separator or a forwarded/original-message
// marker on are dropped, white space is collapsed, and the result is cut to
// PreviewRunes runes.
func makePreview(text string) string {
	var words []string
	n := 0
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if line == "-- " || line == "--" || isOriginalMarker(t) {
			break
		}
		if strings.HasPrefix(t, ">") || isAttribution(t) {
			continue
		}
		for _, f := range strings.Fields(t) {
			words = append(words, f)
			n += utf8.RuneCountInString(f) + 1
		}
		if n > PreviewRunes {
			break
		}
	}
	return SanitizeLine(truncateRunes(strings.Join(words, " "), PreviewRunes))
}

func isOriginalMarker(t string) bool {
	t = strings.Trim(t, "-_= ")
	switch strings.ToLower(t) {
	case "original message", "原始邮件", "forwarded message", "转发邮件", "原始郵件":
		return true
	}
	return false
}

func isAttribution(t string) bool {
	return (strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:")) ||
		(strings.HasPrefix(t, "在") && (strings.HasSuffix(t, "写道：") || strings.HasSuffix(t, "写道:")))
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
