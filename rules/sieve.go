package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ScriptName is the name of the Sieve script Magpie owns on a ManageSieve
// server (RFC 5804 §1.7: any UTF-8 name; this one is plain ASCII).
const ScriptName = "magpie"

// Header lines of a Magpie script. The set travels as one line of JSON in
// a comment, so that reading the script back gives exactly the rules that
// were written; the checksum covers everything after the header, so a
// script edited by hand is told apart from one Magpie wrote.
const (
	headerMark = "# magpie-rules: v1"
	setPrefix  = "# magpie-set: "
	sumPrefix  = "# magpie-sum: sha256:"
)

// CompileOptions are the server facts compilation needs.
type CompileOptions struct {
	// Junk and Trash are the server's folder names for blocked and deleted
	// mail (from the folder roles; defaults "Junk" and "Trash").
	Junk, Trash string
	// Include names existing scripts of the user that Magpie's script runs
	// after the block list and vacation (include :personal, RFC 6609), so a
	// script that was active before Magpie is kept working.
	Include []string
}

func (o CompileOptions) junk() string  { return cmp.Or(o.Junk, "Junk") }
func (o CompileOptions) trash() string { return cmp.Or(o.Trash, "Trash") }

// Compile turns s into Magpie's Sieve script (RFC 5228 with the fileinto,
// mailbox (RFC 5490), imap4flags (RFC 5232), copy (RFC 3894), body
// (RFC 5173), regex, mime (RFC 5703), relational (RFC 5231), date
// (RFC 5260), vacation (RFC 5230) and include (RFC 6609) extensions, each
// required only when used). The script runs, in order: the block list
// (blocked and not allowed senders go to Junk and stop), the vacation reply,
// the included user scripts, then the enabled rules. Folder names are UTF-8
// as RFC 5228 §2.7.2 says; the server encodes them for its store.
func Compile(s Set, o CompileOptions) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	c := &compiler{need: map[string]bool{}}
	c.block(s, o)
	c.vacation(s.Vacation)
	for _, name := range o.Include {
		c.need["include"] = true
		c.line("include :personal :optional %s;", quote(name))
	}
	for _, r := range s.Rules {
		c.rule(r, o)
	}
	var body strings.Builder
	if len(c.need) > 0 {
		var caps []string
		for k := range c.need {
			caps = append(caps, quote(k))
		}
		slices.Sort(caps)
		fmt.Fprintf(&body, "require [%s];\n", strings.Join(caps, ", "))
	}
	body.WriteString(c.out.String())

	js, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("rules: encode set: %w", err)
	}
	var out strings.Builder
	out.WriteString("# Mail rules written by Magpie. Change them with `magpie rules`, not here:\n")
	out.WriteString("# a hand edit makes Magpie treat this script as someone else's.\n")
	out.WriteString(headerMark + "\n")
	out.WriteString(setPrefix + string(js) + "\n")
	out.WriteString(sumPrefix + checksum(body.String()) + "\n")
	out.WriteString(body.String())
	return out.String(), nil
}

func checksum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

type compiler struct {
	out  strings.Builder
	need map[string]bool
}

func (c *compiler) line(format string, args ...any) {
	fmt.Fprintf(&c.out, format+"\n", args...)
}

// quote makes a Sieve quoted string (RFC 5228 §2.4.2): only `"` and `\`
// need escaping; UTF-8 and line breaks are carried as they are.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func quoteList(ss []string) string {
	if len(ss) == 1 {
		return quote(ss[0])
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// senderTest is the test "From is one of list" for addresses and @domains.
func senderTest(list []string) string {
	var addrs, domains []string
	for _, e := range list {
		if d, ok := strings.CutPrefix(e, "@"); ok {
			domains = append(domains, d)
		} else {
			addrs = append(addrs, e)
		}
	}
	var tests []string
	if len(addrs) > 0 {
		tests = append(tests, `address :all :is "from" `+quoteList(addrs))
	}
	if len(domains) > 0 {
		tests = append(tests, `address :domain :is "from" `+quoteList(domains))
	}
	if len(tests) == 1 {
		return tests[0]
	}
	return "anyof(" + strings.Join(tests, ", ") + ")"
}

func (c *compiler) block(s Set, o CompileOptions) {
	if len(s.Block) == 0 {
		return
	}
	c.need["fileinto"] = true
	test := senderTest(s.Block)
	if len(s.Allow) > 0 {
		test = "allof(" + test + ", not " + senderTest(s.Allow) + ")"
	}
	c.line("# block list")
	c.line("if %s {", test)
	c.line("    fileinto %s;", quote(o.junk()))
	c.line("    stop;")
	c.line("}")
}

func (c *compiler) vacation(v *Vacation) {
	if v == nil || !v.Enabled {
		return
	}
	c.need["vacation"] = true
	var when []string
	if !v.Start.IsZero() {
		when = append(when, `currentdate :value "ge" "date" `+quote(v.Start.Format("2006-01-02")))
	}
	if !v.End.IsZero() {
		when = append(when, `currentdate :value "le" "date" `+quote(v.End.Format("2006-01-02")))
	}
	args := " :days " + strconv.Itoa(cmp.Or(v.Days, 7))
	if v.Subject != "" {
		args += " :subject " + quote(v.Subject)
	}
	if len(v.Addresses) > 0 {
		args += " :addresses " + quoteList(v.Addresses)
	}
	cmd := "vacation" + args + " " + quote(strings.ReplaceAll(v.Body, "\r\n", "\n")) + ";"
	c.line("# vacation")
	if len(when) == 0 {
		c.line("%s", cmd)
		return
	}
	c.need["date"], c.need["relational"] = true, true
	c.line("if %s {", allof(when))
	c.line("    %s", cmd)
	c.line("}")
}

func allof(tests []string) string {
	if len(tests) == 1 {
		return tests[0]
	}
	return "allof(" + strings.Join(tests, ", ") + ")"
}

func (c *compiler) rule(r Rule, o CompileOptions) {
	// The name is one line (Validate), so it is safe in a comment.
	if r.Disabled {
		c.line("# rule %s (disabled)", quote(r.Name))
		return
	}
	c.line("# rule %s", quote(r.Name))
	tests := make([]string, len(r.Conditions))
	for i, cond := range r.Conditions {
		tests[i] = c.test(cond)
	}
	test := allof(tests)
	if r.Any && len(tests) > 1 {
		test = "anyof(" + strings.Join(tests, ", ") + ")"
	}
	c.line("if %s {", test)
	// Flags first: imap4flags' addflag changes only what later fileinto and
	// keep store, and a rule's flags are meant for wherever the mail lands.
	for _, a := range r.Actions {
		switch a.Kind {
		case ActionRead:
			c.need["imap4flags"] = true
			c.line(`    addflag "\\Seen";`)
		case ActionFlag:
			c.need["imap4flags"] = true
			c.line(`    addflag "\\Flagged";`)
		case ActionKeyword:
			c.need["imap4flags"] = true
			c.line("    addflag %s;", quote(a.Arg))
		}
	}
	for _, a := range r.Actions {
		switch a.Kind {
		case ActionMove:
			c.need["fileinto"], c.need["mailbox"] = true, true
			c.line("    fileinto :create %s;", quote(a.Arg))
		case ActionCopy:
			c.need["fileinto"], c.need["mailbox"], c.need["copy"] = true, true, true
			c.line("    fileinto :copy :create %s;", quote(a.Arg))
		case ActionDelete:
			c.need["fileinto"] = true
			c.line("    fileinto %s;", quote(o.trash()))
		case ActionForward:
			c.need["copy"] = true
			c.line("    redirect :copy %s;", quote(a.Arg))
		case ActionStop:
			c.line("    stop;")
		}
	}
	c.line("}")
}

// test compiles one condition. Addresses: :contains looks at the whole
// decoded header (so a display name matches too); :is, :matches and :regex
// look at each addr-spec, as an address test does (RFC 5228 §5.1).
func (c *compiler) test(cond Condition) string {
	var t string
	match := ":" + string(cond.Match)
	if cond.Match == MatchRegex {
		c.need["regex"] = true
	}
	switch cond.Field {
	case FieldFrom, FieldTo, FieldCc, FieldRecipient:
		hdrs := map[Field]string{FieldFrom: `"from"`, FieldTo: `"to"`, FieldCc: `"cc"`, FieldRecipient: `["to", "cc"]`}[cond.Field]
		if cond.Match == MatchContains {
			t = "header :contains " + hdrs + " " + quote(cond.Value)
		} else {
			t = "address :all " + match + " " + hdrs + " " + quote(cond.Value)
		}
	case FieldSubject:
		t = "header " + match + ` "subject" ` + quote(cond.Value)
	case FieldHeader:
		t = "header " + match + " " + quote(cond.Header) + " " + quote(cond.Value)
	case FieldBody:
		c.need["body"] = true
		t = "body :text " + match + " " + quote(cond.Value)
	case FieldAttachment:
		c.need["mime"] = true
		t = `header :mime :anychild :contains "Content-Disposition" "attachment"`
	case FieldSize:
		t = "size :" + string(cond.Match) + " " + strconv.FormatInt(cond.Size, 10)
	case FieldIdentity:
		t = `address :all :is ["to", "cc"] ` + quote(cond.Value)
	}
	if cond.Not {
		t = "not " + t
	}
	return t
}
