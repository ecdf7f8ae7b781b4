package message

import (
	"bytes"
	"strconv"
	"strings"
)

// Limits on hostile structure.
const (
	maxMIMEDepth = 32
	maxParts     = 2000
)

// part is one node of the MIME tree as the walker saw it.
type part struct {
	path        string // IMAP section number (RFC 3501 §6.4.5), "" for the root multipart
	header      header
	ctype       mediaValue
	disposition mediaValue
	body        []byte // raw, transfer-encoded body (leaves only)
	children    []*part
}

// walker parses a MIME tree leniently. One walker serves one Parse call.
type walker struct {
	probs *problems
	hint  string // charset hint for undeclared 8-bit header bytes
	count int
}

// entity parses raw (header + body) as the entity at IMAP section path;
// defaultType is the type assumed without a Content-Type (RFC 2046 §5.1.5:
// message/rfc822 inside multipart/digest, text/plain elsewhere).
func (w *walker) entity(raw []byte, path string, depth int, defaultType string) *part {
	head, body := splitHeader(raw)
	h := parseHeader(head, w.probs)
	return w.entityWithHeader(h, body, path, depth, defaultType)
}

func (w *walker) entityWithHeader(h header, body []byte, path string, depth int, defaultType string) *part {
	w.count++
	p := w.typed(h, body, path, defaultType)
	if !strings.HasPrefix(p.ctype.value, "multipart/") {
		return p
	}
	if depth >= maxMIMEDepth {
		w.probs.add("message: MIME nesting deeper than %d; inner parts ignored", maxMIMEDepth)
		p.ctype.value = "application/octet-stream"
		return p
	}
	return w.split(p, body, path, depth)
}

// typed is the part with header h, its content type (defaultType when it
// has none or a malformed one) and disposition read: all that decides
// whether a leaf is an attachment (see Skimmer).
func (w *walker) typed(h header, body []byte, path string, defaultType string) *part {
	p := &part{path: path, header: h, body: body}
	ct, _ := h.get("Content-Type")
	p.ctype = parseMediaValue(headerText(ct, w.hint, w.probs), w.probs)
	if p.ctype.value == "" || !strings.Contains(p.ctype.value, "/") {
		if p.ctype.value != "" {
			w.probs.add("message: malformed content type %q; taken as %s", p.ctype.value, defaultType)
		}
		p.ctype.value = defaultType
	}
	if cd, ok := h.get("Content-Disposition"); ok {
		p.disposition = parseMediaValue(headerText(cd, w.hint, w.probs), w.probs)
	}
	return p
}

// split reads the children of multipart p from its body.
func (w *walker) split(p *part, body []byte, path string, depth int) *part {
	boundary := p.ctype.params["boundary"]
	if boundary == "" {
		w.probs.add("message: multipart without boundary; taken as text")
		p.ctype.value = "text/plain"
		return p
	}
	bodies, closed := splitMultipart(body, boundary)
	if len(bodies) == 0 {
		w.probs.add("message: multipart boundary %q never found; taken as text", boundary)
		p.ctype.value = "text/plain"
		return p
	}
	if !closed {
		w.probs.add("message: multipart %q has no closing boundary (truncated?)", boundary)
	}
	p.body = nil
	childType := "text/plain"
	if p.ctype.value == "multipart/digest" {
		childType = "message/rfc822"
	}
	for i, b := range bodies {
		if w.count >= maxParts {
			w.probs.add("message: more than %d MIME parts; the rest ignored", maxParts)
			break
		}
		cp := strconv.Itoa(i + 1)
		if path != "" {
			cp = path + "." + cp
		}
		p.children = append(p.children, w.entity(b, cp, depth+1, childType))
	}
	return p
}

// splitMultipart splits a multipart body at its boundary lines (RFC 2046
// §5.1.1). It tolerates LF line ends, transport padding after boundaries, a
// boundary at the very start, and a missing close delimiter (closed false:
// the last part runs to the end). The preamble and epilogue are dropped.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1 // offset where the current part's content starts
	pos := 0
	for pos <= len(body) {
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		var line []byte
		next := len(body) + 1
		if lineEnd < 0 {
			line = body[pos:]
		} else {
			line = body[pos : pos+lineEnd]
			next = pos + lineEnd + 1
		}
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t\r")
			isClose := bytes.HasPrefix(rest, []byte("--"))
			if len(rest) == 0 || isClose {
				if start >= 0 {
					parts = append(parts, trimPartEnd(body[start:pos]))
				}
				if isClose {
					return parts, true
				}
				start = min(next, len(body))
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

// trimPartEnd drops the line break that belongs to the next delimiter.
func trimPartEnd(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// decodedBody returns a leaf's body with its Content-Transfer-Encoding
// undone, as far as possible.
func (w *walker) decodedBody(p *part) []byte {
	cte, _ := p.header.get("Content-Transfer-Encoding")
	cte = strings.ToLower(strings.TrimSpace(stripComments(cte)))
	switch cte {
	case "", "7bit", "8bit", "binary":
		return p.body
	case "base64":
		out, ok := lenientBase64(p.body)
		if !ok {
			w.probs.add("message: part %s: broken base64, decoded what was possible", p.displayPath())
		}
		return out
	case "quoted-printable":
		out, ok := lenientQP(p.body)
		if !ok {
			w.probs.add("message: part %s: broken quoted-printable, decoded what was possible", p.displayPath())
		}
		return out
	}
	w.probs.add("message: part %s: unknown transfer encoding %q, taken as is", p.displayPath(), cte)
	return p.body
}

// decodedLen is len(w.decodedBody(p)), recording the same problems, without
// decoding a base64 body.
func (w *walker) decodedLen(p *part) int {
	cte, _ := p.header.get("Content-Transfer-Encoding")
	if strings.ToLower(strings.TrimSpace(stripComments(cte))) != "base64" {
		return len(w.decodedBody(p))
	}
	n, ok := lenientBase64Len(p.body)
	if !ok {
		w.probs.add("message: part %s: broken base64, decoded what was possible", p.displayPath())
	}
	return n
}

func (p *part) displayPath() string {
	if p.path == "" {
		return "root"
	}
	return p.path
}

// isMultipart reports a container.
func (p *part) isMultipart() bool {
	return strings.HasPrefix(p.ctype.value, "multipart/")
}

// filename returns the part's name as sent: the disposition's filename,
// else the content type's name.
func (p *part) filename() string {
	if f := p.disposition.params["filename"]; f != "" {
		return f
	}
	return p.ctype.params["name"]
}

// isAttachment decides whether a leaf is shown as an attachment rather than
// read as body text: explicit "attachment", a filename, or a type that is not
// text/plain or text/html.
func (p *part) isAttachment() bool {
	if p.disposition.value == "attachment" {
		return true
	}
	switch p.ctype.value {
	case "text/plain", "text/html":
		return p.filename() != "" && p.disposition.value != "inline"
	}
	return true
}
