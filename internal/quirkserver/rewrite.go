package quirkserver

import (
	"bytes"
	"strings"
)

// capLine is the advertised capability list, space separated.
func (s *Server) capLine() string { return strings.Join(s.caps, " ") }

// rewriteGreeting replaces the backend's greeting (RFC 3501 section 7.1)
// by the profile's: NetEase/Coremail send no capability code.
func (c *conn) rewriteGreeting(parts []part) []part {
	sp := &c.srv.spec
	if sp.caps == nil {
		return parts
	}
	if !bytes.HasPrefix(bytes.ToUpper(parts[0].line), []byte("* OK")) {
		return c.rewriteCapCode(parts)
	}
	line := "* OK " + sp.greetText + "\r\n"
	if sp.greetCaps {
		line = "* OK [CAPABILITY " + c.srv.capLine() + "] " + sp.greetText + "\r\n"
	}
	return []part{{line: []byte(line)}}
}

// rewriteCapCode replaces the content of a [CAPABILITY ...] response code
// (RFC 3501 section 7.1) in a status response by the profile's list.
func (c *conn) rewriteCapCode(parts []part) []part {
	if c.srv.caps == nil {
		return parts
	}
	line := parts[0].line
	i := bytes.Index(bytes.ToUpper(line), []byte("[CAPABILITY "))
	if i < 0 {
		return parts
	}
	j := bytes.IndexByte(line[i:], ']')
	if j < 0 {
		return parts
	}
	var b bytes.Buffer
	b.Write(line[:i])
	b.WriteString("[CAPABILITY " + c.srv.capLine())
	b.Write(line[i+j:])
	out := append([]part(nil), parts...)
	out[0].line = b.Bytes()
	return out
}

// rewriteUntagged applies the profile to an untagged backend response.
func (c *conn) rewriteUntagged(parts []part) []part {
	if c.srv.caps == nil {
		return parts
	}
	upper := bytes.ToUpper(parts[0].line)
	switch {
	case bytes.HasPrefix(upper, []byte("* CAPABILITY ")):
		return []part{{line: []byte("* CAPABILITY " + c.srv.capLine() + "\r\n")}}
	case bytes.HasPrefix(upper, []byte("* LIST ")):
		c.mu.Lock()
		xlist := len(c.xlistTag) > 0
		c.mu.Unlock()
		return c.rewriteList(parts, xlist)
	}
	return c.rewriteCapCode(parts)
}

// rewriteList adjusts the attributes of a LIST response (RFC 3501 section
// 7.2.2): special-use attributes (RFC 6154) are stripped for profiles that
// do not advertise SPECIAL-USE, added by folder name for those that do, and
// for XLIST the response is renamed and gets \Inbox too. The mailbox name
// and everything after the attributes is forwarded unchanged.
func (c *conn) rewriteList(parts []part, xlist bool) []part {
	mode := c.srv.spec.listRoles
	if xlist {
		mode = rolesAdd
	}
	if mode == rolesKeep {
		return parts
	}
	line := parts[0].line
	open := bytes.IndexByte(line, '(')
	end := bytes.IndexByte(line, ')')
	if open < 0 || end < open {
		return parts
	}
	z := &tokenizer{parts: parts, pos: end + 1}
	toks, err := z.list(0)
	if err != nil || len(toks) != 2 {
		return parts
	}
	name := decodeMUTF7(toks[1].text)

	var attrs []string
	hasRole := false
	for _, a := range strings.Fields(string(line[open+1 : end])) {
		if isSpecialUseAttr(a) {
			if mode == rolesStrip {
				continue
			}
			hasRole = true
		}
		attrs = append(attrs, a)
	}
	if mode == rolesAdd && !hasRole {
		if role := roleByName(name); role != "" {
			attrs = append(attrs, role)
		}
	}
	if xlist && strings.EqualFold(name, "INBOX") {
		attrs = append(attrs, `\Inbox`)
	}
	verb := "* LIST ("
	if xlist {
		verb = "* XLIST ("
	}
	var b bytes.Buffer
	b.WriteString(verb)
	b.WriteString(strings.Join(attrs, " "))
	b.Write(line[end:])
	out := append([]part(nil), parts...)
	out[0].line = b.Bytes()
	return out
}
