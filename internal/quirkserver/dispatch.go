package quirkserver

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// dispatch applies the profile to a complete client command: it answers it
// locally, rewrites it, or forwards it unchanged.
func (c *conn) dispatch(cmd *command) error {
	c.countAndLog(cmd)
	if cmd.reply != "" {
		return c.writeClient([]byte(cmd.reply))
	}
	sp := &c.srv.spec
	if sp.caps == nil {
		return c.forwardTracked(cmd)
	}
	bad := func(text string) error { return c.reply(cmd.tag, "BAD", text) }
	if cmd.tag == "" || cmd.name == "" {
		return bad(sp.badText)
	}
	if !isBaseCommand(cmd.name) {
		if cp := commandCap(cmd.name); cp == "" || !c.srv.has(cp) {
			return bad(sp.badText)
		}
	}
	toks, err := cmd.args()
	if err != nil {
		return bad(sp.badText)
	}
	if !c.srv.has("CONDSTORE") && usesCondstore(cmd.name, toks) {
		return bad(sp.badText)
	}
	if sp.noDescending {
		for _, set := range sequenceSets(cmd.name, toks) {
			if hasDescendingRange(set) {
				return bad("Invalid sequence set")
			}
		}
	}

	switch cmd.name {
	case "ENABLE":
		if sp.hangOnEnable {
			c.mu.Lock()
			c.hung = true
			c.mu.Unlock()
			return nil
		}
	case "ID":
		return c.handleID(cmd, toks)
	case "AUTHENTICATE":
		return c.handleAuthenticate(cmd, toks)
	case "SELECT", "EXAMINE":
		if sp.requireID && !c.idSeen {
			return c.reply(cmd.tag, "NO", cmd.name+" "+UnsafeLoginText)
		}
	case "LIST":
		ext, suOnly := listExtension(toks)
		if ext && !c.srv.has("LIST-EXTENDED") && !(suOnly && c.srv.has("SPECIAL-USE")) {
			return bad(sp.badText)
		}
	case "SEARCH", "UID SEARCH":
		sh, err := parseSearch(toks)
		if err == nil && sh.ret && !c.srv.has("ESEARCH") {
			return bad(sp.badText)
		}
		if sp.search != 0 && (err != nil || sp.search.rejects(sh)) {
			return bad(sp.badText)
		}
	case "XLIST":
		return c.forwardXList(cmd)
	}
	return c.forwardTracked(cmd)
}

// sequenceSets returns the sequence-set arguments of a command.
func sequenceSets(name string, toks []token) []string {
	switch name {
	case "FETCH", "STORE", "COPY", "MOVE", "UID FETCH", "UID STORE", "UID COPY",
		"UID MOVE", "UID EXPUNGE":
		if len(toks) > 0 && toks[0].kind == tokAtom {
			return []string{toks[0].text}
		}
	case "SEARCH", "UID SEARCH":
		var sets []string
		walk(toks, func(t token) {
			if t.kind == tokAtom && isSeqSet(t.text) {
				sets = append(sets, t.text)
			}
		})
		return sets
	}
	return nil
}

// forwardTracked forwards cmd, first switching the client side to raw mode
// for commands whose continuation lines are not commands (IDLE's DONE,
// RFC 2177; SASL responses, RFC 3501 section 6.2.2).
func (c *conn) forwardTracked(cmd *command) error {
	switch cmd.name {
	case "IDLE", "AUTHENTICATE":
		c.mu.Lock()
		c.rawTag = cmd.tag
		c.rawIdle = cmd.name == "IDLE"
		c.rawAuth = cmd.name == "AUTHENTICATE"
		c.mu.Unlock()
	}
	return c.forward(cmd.tag, cmd.parts)
}

// handleID answers ID (RFC 2971) locally and unlocks SELECT for NetEase.
func (c *conn) handleID(cmd *command, toks []token) error {
	sp := &c.srv.spec
	var m map[string]string
	var ok bool
	if sp.strictID {
		m, ok = parseStrictID(toks)
	} else {
		m, ok = parseID(toks)
	}
	if !ok {
		if sp.strictID {
			return c.reply(cmd.tag, "BAD", ParseErrorText)
		}
		return c.reply(cmd.tag, "BAD", sp.badText)
	}
	c.srv.recordID(m)
	c.idSeen = true
	var b strings.Builder
	b.WriteString("* ID (")
	for i, s := range sp.idReply {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteString(s))
	}
	b.WriteString(")\r\n")
	b.WriteString(cmd.tag + " OK ID completed\r\n")
	c.srv.logf("[%d] S: %s", c.id, strings.ReplaceAll(strings.TrimSpace(b.String()), "\r\n", " | "))
	return c.writeClient([]byte(b.String()))
}

// handleAuthenticate forwards AUTHENTICATE PLAIN (RFC 4616) unchanged and
// emulates AUTHENTICATE LOGIN (draft-murchison-sasl-login) by turning it
// into a LOGIN command to the backend.
func (c *conn) handleAuthenticate(cmd *command, toks []token) error {
	if len(toks) == 0 || toks[0].kind != tokAtom {
		return c.reply(cmd.tag, "BAD", c.srv.spec.badText)
	}
	mech := strings.ToUpper(toks[0].text)
	if !c.srv.has("AUTH=" + mech) {
		return c.reply(cmd.tag, "NO", "Unsupported authentication mechanism")
	}
	if len(toks) > 1 && !c.srv.has("SASL-IR") {
		return c.reply(cmd.tag, "BAD", c.srv.spec.badText)
	}
	if mech != "LOGIN" {
		return c.forwardTracked(cmd)
	}
	var user string
	if len(toks) > 1 {
		u, err := decodeSASL(toks[1].text)
		if err != nil {
			return c.reply(cmd.tag, "BAD", "Invalid base64 data")
		}
		user = u
	} else {
		u, cancelled, err := c.saslStep(cmd.tag, "Username:")
		if err != nil || cancelled {
			return err
		}
		user = u
	}
	pass, cancelled, err := c.saslStep(cmd.tag, "Password:")
	if err != nil || cancelled {
		return err
	}
	c.srv.logf("[%d] -> backend: %s LOGIN <redacted>", c.id, cmd.tag)
	return c.forward(cmd.tag, loginParts(cmd.tag, user, pass))
}

// saslStep sends one base64 challenge and reads the client's answer. A "*"
// answer cancels the exchange with BAD (RFC 3501 section 6.2.2).
func (c *conn) saslStep(tag, challenge string) (answer string, cancelled bool, err error) {
	if err := c.writeClient([]byte("+ " + base64.StdEncoding.EncodeToString([]byte(challenge)) + "\r\n")); err != nil {
		return "", false, err
	}
	line, err := readLine(c.cr)
	if err != nil {
		return "", false, err
	}
	c.srv.logf("[%d] C: <redacted SASL data>", c.id)
	s := strings.TrimRight(string(line), "\r\n")
	if s == "*" {
		return "", true, c.reply(tag, "BAD", "AUTHENTICATE cancelled")
	}
	answer, err = decodeSASL(s)
	if err != nil {
		return "", true, c.reply(tag, "BAD", "Invalid base64 data")
	}
	return answer, false, nil
}

func decodeSASL(s string) (string, error) {
	if s == "=" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("quirkserver: sasl: %w", err)
	}
	return string(b), nil
}

// loginParts builds "tag LOGIN user pass", with synchronising literals for
// strings that cannot be quoted.
func loginParts(tag, user, pass string) []part {
	var parts []part
	cur := tag + " LOGIN"
	for _, s := range []string{user, pass} {
		if needsLiteral(s) {
			line := fmt.Sprintf("%s {%d}\r\n", cur, len(s))
			parts = append(parts, part{line: []byte(line), lit: []byte(s), sync: true})
			cur = ""
			continue
		}
		cur += " " + quoteString(s)
	}
	return append(parts, part{line: []byte(cur + "\r\n")})
}

// forwardXList sends XLIST to the backend as LIST; the responses are renamed
// back to XLIST with roles (Gmail's XLIST convention, which Aliyun and
// NetEase follow) by rewriteList.
func (c *conn) forwardXList(cmd *command) error {
	parts := append([]part(nil), cmd.parts...)
	first := string(parts[0].line)
	i := len(cmd.tag) + 1
	if len(first) < i+5 || !strings.EqualFold(first[i:i+5], "XLIST") {
		return c.reply(cmd.tag, "BAD", c.srv.spec.badText)
	}
	parts[0].line = []byte(first[:i] + "LIST" + first[i+5:])
	c.mu.Lock()
	c.xlistTag[cmd.tag] = true
	c.mu.Unlock()
	return c.forward(cmd.tag, parts)
}
