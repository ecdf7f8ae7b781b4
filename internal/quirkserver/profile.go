package quirkserver

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Profile names a provider whose IMAP quirks the proxy emulates.
type Profile string

// The emulated providers. Plain forwards everything unchanged.
const (
	Plain    Profile = "plain"
	NetEase  Profile = "netease"  // 163/126/yeah/qiye.163.com
	Coremail Profile = "coremail" // NetEase plus the ENABLE hang
	Exmail   Profile = "exmail"   // Tencent Exmail / QQ
	Aliyun   Profile = "aliyun"   // Aliyun qiye
	P263     Profile = "263"      // 263.net
)

// Profiles lists every profile, Plain first.
func Profiles() []Profile {
	return []Profile{Plain, NetEase, Coremail, Exmail, Aliyun, P263}
}

// UnsafeLoginText is the text NetEase/Coremail put after "NO" when a client
// selects a mailbox before sending IMAP ID (RFC 2971).
const UnsafeLoginText = "Unsafe Login. Please contact kefu@188.com for help"

// ParseErrorText is the text NetEase/Coremail answer BAD with for an ID
// command in any form but a parenthesised list of quoted strings.
const ParseErrorText = "Parse command error"

// ExmailTooBigText formats Exmail's refusal of an oversized APPEND literal,
// as seen in the wild: "NO Mail length 12345 exceeded!" (no response code;
// reported in chenxuuu/Mail-Box-Net-Disk#6).
func ExmailTooBigText(n int64) string {
	return fmt.Sprintf("Mail length %d exceeded!", n)
}

// searchRule is a bit set of SEARCH forms a profile answers BAD.
type searchRule uint8

const (
	searchNoParens searchRule = 1 << iota // any parenthesised group
	searchNoOr                            // OR anywhere
	searchNoNot                           // NOT anywhere
	searchNoMulti                         // more than one top-level key
)

// roleMode says what the proxy does with special-use attributes (RFC 6154)
// in LIST responses.
type roleMode uint8

const (
	rolesKeep  roleMode = iota // forward as the backend sent them
	rolesAdd                   // add a role by folder name when none is present
	rolesStrip                 // remove all special-use attributes
)

// profileSpec is the static description of a profile.
type profileSpec struct {
	caps         []string // advertised capabilities; nil means pass through
	greetText    string   // text of the greeting after "* OK "
	greetCaps    bool     // whether the greeting carries a [CAPABILITY] code
	requireID    bool     // SELECT/EXAMINE refused until ID was sent
	strictID     bool     // only ID ("k" "v" ...) is accepted
	hangOnEnable bool     // ENABLE is never answered, nor anything after it
	noDescending bool     // descending sequence ranges answer BAD
	appendLimit  bool     // APPEND literals above Options.AppendLimit answer NO
	search       searchRule
	listRoles    roleMode
	badText      string   // text of BAD for unknown or unadvertised commands
	idReply      []string // key/value pairs of the untagged ID response
}

func (p Profile) spec() (profileSpec, error) {
	netease := profileSpec{
		caps: []string{"IMAP4rev1", "XLIST", "SPECIAL-USE", "ID", "LITERAL+",
			"UIDPLUS", "IDLE", "AUTH=PLAIN", "AUTH=LOGIN"},
		greetText: "Coremail System IMap Server Ready",
		requireID: true,
		strictID:  true,
		listRoles: rolesAdd,
		badText:   ParseErrorText,
		idReply: []string{"name", "Coremail Imap", "vendor", "Mailtech",
			"TransID", "quirkserver"},
	}
	switch p {
	case Plain:
		return profileSpec{listRoles: rolesKeep}, nil
	case NetEase:
		return netease, nil
	case Coremail:
		s := netease
		s.caps = append(append([]string(nil), netease.caps[:len(netease.caps)-2]...),
			"ENABLE", "AUTH=PLAIN", "AUTH=LOGIN")
		s.hangOnEnable = true
		return s, nil
	case Exmail:
		return profileSpec{
			caps: []string{"IMAP4rev1", "ID", "IDLE", "UIDPLUS", "NAMESPACE",
				"AUTH=LOGIN", "AUTH=PLAIN"},
			greetText:    "QQMail IMAP4Server ready",
			greetCaps:    true,
			noDescending: true,
			appendLimit:  true,
			search:       searchNoParens | searchNoOr | searchNoNot | searchNoMulti,
			listRoles:    rolesStrip,
			badText:      "Invalid command",
			idReply:      []string{"name", "com.tencent.exmail", "vendor", "Tencent"},
		}, nil
	case Aliyun:
		return profileSpec{
			caps: []string{"IMAP4rev1", "IDLE", "XLIST", "UIDPLUS", "ID",
				"SASL-IR", "AUTH=PLAIN", "AUTH=LOGIN"},
			greetText: "AliYun IMAP Server Ready",
			greetCaps: true,
			search:    searchNoParens | searchNoOr,
			listRoles: rolesStrip,
			badText:   "Unknown command",
			idReply:   []string{"name", "AliYun Mail", "vendor", "Alibaba"},
		}, nil
	case P263:
		return profileSpec{
			caps: []string{"IMAP4rev1", "ID", "IDLE", "NAMESPACE", "UIDPLUS",
				"UNSELECT", "LITERAL+", "AUTH=PLAIN", "AUTH=LOGIN"},
			greetText: "263 IMAP server ready",
			greetCaps: true,
			search:    searchNoParens,
			listRoles: rolesStrip,
			badText:   "Command not recognized",
			idReply:   []string{"name", "263 Mail", "vendor", "263"},
		}, nil
	}
	return profileSpec{}, fmt.Errorf("quirkserver: unknown profile %q", string(p))
}

// baseCommands are the RFC 3501 commands every profile accepts (subject to
// its other quirks). Anything else needs its capability advertised.
func isBaseCommand(name string) bool {
	switch name {
	case "CAPABILITY", "NOOP", "LOGOUT", "AUTHENTICATE", "LOGIN",
		"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
		"UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "CHECK", "CLOSE",
		"EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY",
		"UID FETCH", "UID STORE", "UID COPY", "UID SEARCH":
		return true
	}
	return false
}

// commandCap returns the capability an extension command requires, or ""
// when the command is unknown to the emulator.
func commandCap(name string) string {
	switch name {
	case "MOVE", "UID MOVE":
		return "MOVE"
	case "UID EXPUNGE":
		return "UIDPLUS"
	case "STARTTLS", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "XLIST", "ID",
		"UNAUTHENTICATE":
		return name
	case "COMPRESS":
		return "COMPRESS=DEFLATE"
	case "GETQUOTA", "GETQUOTAROOT", "SETQUOTA":
		return "QUOTA"
	case "GETACL", "SETACL", "DELETEACL", "LISTRIGHTS", "MYRIGHTS":
		return "ACL"
	case "GETMETADATA", "SETMETADATA":
		return "METADATA"
	}
	return ""
}

// specialUseAttrs are the RFC 6154 attributes plus the XLIST (Gmail) ones.
func isSpecialUseAttr(attr string) bool {
	switch strings.ToLower(attr) {
	case `\all`, `\archive`, `\drafts`, `\flagged`, `\junk`, `\sent`, `\trash`,
		`\important`, `\inbox`, `\allmail`, `\spam`, `\starred`:
		return true
	}
	return false
}

// roleByName guesses a folder's special use from its name, for backends
// (such as imapmemserver) that store none. name is the decoded UTF-8 name.
func roleByName(name string) string {
	switch strings.ToLower(name) {
	case "sent", "sent messages", "sent items", "已发送", "已发送邮件":
		return `\Sent`
	case "drafts", "draft", "草稿箱", "草稿":
		return `\Drafts`
	case "trash", "deleted messages", "deleted items", "已删除", "已删除邮件":
		return `\Trash`
	case "junk", "spam", "垃圾邮件", "垃圾箱":
		return `\Junk`
	case "archive", "归档":
		return `\Archive`
	}
	return ""
}

// encodeMUTF7 encodes a mailbox name in modified UTF-7 (RFC 3501 section
// 5.1.3).
func encodeMUTF7(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		u := utf16.Encode(run)
		buf := make([]byte, 2*len(u))
		for i, c := range u {
			buf[2*i], buf[2*i+1] = byte(c>>8), byte(c)
		}
		b.WriteByte('&')
		b.WriteString(strings.ReplaceAll(base64.RawStdEncoding.EncodeToString(buf), "/", ","))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			b.WriteString("&-")
		case r >= 0x20 && r <= 0x7e:
			flush()
			b.WriteRune(r)
		default:
			run = append(run, r)
		}
	}
	flush()
	return b.String()
}

// decodeMUTF7 decodes a modified UTF-7 mailbox name; names that are not valid
// modified UTF-7 (e.g. raw UTF-8 under UTF8=ACCEPT) are returned unchanged.
func decodeMUTF7(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b.WriteByte(s[i])
			continue
		}
		end := strings.IndexByte(s[i:], '-')
		if end < 0 {
			return s
		}
		enc := s[i+1 : i+end]
		i += end
		if enc == "" {
			b.WriteByte('&')
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(strings.ReplaceAll(enc, ",", "/"))
		if err != nil || len(raw)%2 != 0 {
			return s
		}
		u := make([]uint16, len(raw)/2)
		for j := range u {
			u[j] = uint16(raw[2*j])<<8 | uint16(raw[2*j+1])
		}
		b.WriteString(string(utf16.Decode(u)))
	}
	return b.String()
}
