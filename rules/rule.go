// Package rules holds Magpie's mail rules: the rule model, its compilation
// to one Sieve script (RFC 5228) that Magpie owns, the reading back of such
// a script, block and allow lists, the vacation auto-reply (RFC 5230), and
// the client-side evaluation of rules over a message for servers without
// ManageSieve.
//
// The same Set drives both places rules can run: on the server, compiled by
// Compile and uploaded with package rules/managesieve; on this computer,
// evaluated by Set.Evaluate. Matching follows Sieve's defaults so that a
// rule means the same thing in both places (i;ascii-casemap comparisons,
// "*" and "?" wildcards for :matches, POSIX-like regular expressions).
//
// Nothing here talks to a server or words anything for people. All
// functions are pure and safe for concurrent use.
package rules

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Field is what a condition looks at.
type Field string

const (
	FieldFrom       Field = "from"       // the From address
	FieldTo         Field = "to"         // To addresses
	FieldCc         Field = "cc"         // Cc addresses
	FieldRecipient  Field = "recipient"  // To or Cc addresses
	FieldSubject    Field = "subject"    // the decoded Subject
	FieldBody       Field = "body"       // the readable body text
	FieldHeader     Field = "header"     // the decoded value of header Condition.Header
	FieldAttachment Field = "attachment" // the message has an attachment (no value)
	FieldSize       Field = "size"       // the message size in octets (Match over/under)
	FieldIdentity   Field = "identity"   // addressed (To/Cc) to this identity of the account
)

// Match is how a condition compares.
type Match string

const (
	MatchContains Match = "contains" // substring, ASCII case-insensitive (RFC 5228 §2.7.1)
	MatchIs       Match = "is"       // whole value, ASCII case-insensitive
	MatchMatches  Match = "matches"  // "*" any run, "?" one character
	MatchRegex    Match = "regex"    // extended regular expression (draft-ietf-sieve-regex)
	MatchOver     Match = "over"     // size only: larger than Size
	MatchUnder    Match = "under"    // size only: smaller than Size
)

// Condition is one test of a rule.
type Condition struct {
	Field  Field  `json:"field"`
	Header string `json:"header,omitempty"` // header name, for FieldHeader
	Match  Match  `json:"match,omitempty"`
	Value  string `json:"value,omitempty"`
	Size   int64  `json:"size,omitempty"` // octets, for FieldSize
	// Not inverts the test.
	Not bool `json:"not,omitempty"`
}

// ActionKind is what an action does.
type ActionKind string

const (
	ActionMove    ActionKind = "move"    // file into Arg (created if missing), not in INBOX
	ActionCopy    ActionKind = "copy"    // file a copy into Arg, keep the original
	ActionRead    ActionKind = "read"    // add \Seen
	ActionFlag    ActionKind = "flag"    // add \Flagged
	ActionKeyword ActionKind = "keyword" // add keyword Arg
	ActionDelete  ActionKind = "delete"  // move to Trash
	ActionForward ActionKind = "forward" // redirect a copy to address Arg, keep the original
	ActionStop    ActionKind = "stop"    // evaluate no further rules
)

// Action is one thing a rule does to a message it matches.
type Action struct {
	Kind ActionKind `json:"kind"`
	Arg  string     `json:"arg,omitempty"`
}

// Rule is a named, ordered filter: when its conditions hold (all of them, or
// any when Any is set) its actions run in order.
type Rule struct {
	Name       string      `json:"name"`
	Disabled   bool        `json:"disabled,omitempty"`
	Any        bool        `json:"any,omitempty"`
	Conditions []Condition `json:"if"`
	Actions    []Action    `json:"then"`
}

// Vacation is an auto-reply (RFC 5230). Start and End are whole days in
// the server's time zone, inclusive; zero means unbounded.
type Vacation struct {
	Enabled   bool      `json:"enabled"`
	Start     time.Time `json:"start,omitzero"`
	End       time.Time `json:"end,omitzero"`
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body"`
	Addresses []string  `json:"addresses,omitempty"` // the addresses it answers for (primary + aliases)
	Days      int       `json:"days,omitempty"`      // between replies to one sender; 0 means 7
}

// Set is an account's whole rule configuration: its ordered rules, block
// and allow lists, and the vacation reply.
type Set struct {
	Rules []Rule `json:"rules,omitempty"`
	// Block lists addresses ("a@b.c") or domains ("@b.c") whose mail goes
	// to Junk; Allow lists ones that never do (allow wins).
	Block    []string  `json:"block,omitempty"`
	Allow    []string  `json:"allow,omitempty"`
	Vacation *Vacation `json:"vacation,omitempty"`
}

// Errors callers branch on with errors.Is.
var (
	ErrInvalid   = errors.New("invalid rule")
	ErrDuplicate = errors.New("duplicate rule name")
	ErrNotFound  = errors.New("no such rule")
)

// RuleError is a problem with one rule (or the vacation, Rule = "").
type RuleError struct {
	Rule string
	Err  error // wraps ErrInvalid or ErrDuplicate
}

func (e *RuleError) Error() string {
	if e.Rule == "" {
		return "rules: " + e.Err.Error()
	}
	return fmt.Sprintf("rules: rule %q: %v", e.Rule, e.Err)
}

func (e *RuleError) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Validate checks the whole set and returns the first problem as a
// *RuleError.
func (s Set) Validate() error {
	seen := map[string]bool{}
	for _, r := range s.Rules {
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.Name] {
			return &RuleError{Rule: r.Name, Err: ErrDuplicate}
		}
		seen[r.Name] = true
	}
	for _, e := range append(append([]string{}, s.Block...), s.Allow...) {
		if !ValidSender(e) {
			return &RuleError{Err: invalid("%q is neither an address nor @domain", e)}
		}
	}
	if v := s.Vacation; v != nil {
		if err := v.Validate(); err != nil {
			return &RuleError{Err: err}
		}
	}
	return nil
}

// Validate checks one rule.
func (r Rule) Validate() error {
	bad := func(err error) error { return &RuleError{Rule: r.Name, Err: err} }
	if strings.TrimSpace(r.Name) == "" || !utf8.ValidString(r.Name) || strings.ContainsAny(r.Name, "\r\n") {
		return bad(invalid("name must be one non-empty line"))
	}
	if len(r.Conditions) == 0 {
		return bad(invalid("no condition"))
	}
	if len(r.Actions) == 0 {
		return bad(invalid("no action"))
	}
	for _, c := range r.Conditions {
		if err := c.validate(); err != nil {
			return bad(err)
		}
	}
	for _, a := range r.Actions {
		if err := a.validate(); err != nil {
			return bad(err)
		}
	}
	return nil
}

func (c Condition) validate() error {
	if !utf8.ValidString(c.Value) || strings.ContainsAny(c.Value, "\r\n") {
		return invalid("condition value must be one line of UTF-8")
	}
	switch c.Field {
	case FieldIdentity:
		if !ValidAddress(c.Value) {
			return invalid("identity %q is not an address", c.Value)
		}
	case FieldFrom, FieldTo, FieldCc, FieldRecipient, FieldSubject, FieldBody, FieldHeader:
		switch c.Match {
		case MatchContains, MatchIs, MatchMatches:
		case MatchRegex:
			if _, err := regexp.Compile(c.Value); err != nil {
				return invalid("regular expression %q: %v", c.Value, err)
			}
		default:
			return invalid("match %q does not apply to %s", c.Match, c.Field)
		}
		if c.Value == "" {
			return invalid("%s: empty value", c.Field)
		}
		if c.Field == FieldHeader && !validHeaderName(c.Header) {
			return invalid("header name %q", c.Header)
		}
		if c.Field == FieldBody && c.Match == MatchRegex {
			// The server's body text and ours differ in details (HTML
			// reduced to text, line breaks), which anchors would expose.
			return invalid("body cannot be matched by a regular expression")
		}
	case FieldAttachment:
	case FieldSize:
		if c.Match != MatchOver && c.Match != MatchUnder {
			return invalid("size takes over or under, not %q", c.Match)
		}
		if c.Size <= 0 {
			return invalid("size %d", c.Size)
		}
	default:
		return invalid("unknown field %q", c.Field)
	}
	return nil
}

func (a Action) validate() error {
	switch a.Kind {
	case ActionMove, ActionCopy:
		if strings.TrimSpace(a.Arg) == "" || !utf8.ValidString(a.Arg) || strings.ContainsAny(a.Arg, "\r\n") {
			return invalid("%s needs a folder", a.Kind)
		}
	case ActionKeyword:
		if !validKeyword(a.Arg) {
			return invalid("keyword %q (an IMAP atom: no spaces, no ()]{%%*\"\\)", a.Arg)
		}
	case ActionForward:
		if !ValidAddress(a.Arg) {
			return invalid("forward to %q: not an address", a.Arg)
		}
	case ActionRead, ActionFlag, ActionDelete, ActionStop:
		if a.Arg != "" {
			return invalid("%s takes no argument", a.Kind)
		}
	default:
		return invalid("unknown action %q", a.Kind)
	}
	return nil
}

// Validate checks a vacation reply.
func (v Vacation) Validate() error {
	if strings.TrimSpace(v.Body) == "" {
		return invalid("vacation: empty body")
	}
	if strings.ContainsAny(v.Subject, "\r\n") {
		return invalid("vacation: subject must be one line")
	}
	if !v.Start.IsZero() && !v.End.IsZero() && v.End.Before(v.Start) {
		return invalid("vacation: ends before it starts")
	}
	if v.Days < 0 || v.Days > 365 {
		return invalid("vacation: days %d (1–365)", v.Days)
	}
	for _, a := range v.Addresses {
		if !ValidAddress(a) {
			return invalid("vacation: %q is not an address", a)
		}
	}
	return nil
}

// ValidAddress reports whether s is a bare addr-spec (RFC 5322 §3.4.1).
func ValidAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// ValidSender reports whether s is an address or "@domain" for a block or
// allow list.
func ValidSender(s string) bool {
	if d, ok := strings.CutPrefix(s, "@"); ok {
		return d != "" && ValidAddress("x@"+d)
	}
	return ValidAddress(s)
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || r == ':' { // RFC 5322 §3.6.8 ftext
			return false
		}
	}
	return true
}

func validKeyword(s string) bool {
	if s == "" || strings.HasPrefix(s, `\`) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || strings.ContainsRune(`(){%*"\]`, r) { // RFC 3501 atom-specials
			return false
		}
	}
	return true
}

// Index returns the position of the rule called name, or -1.
func (s Set) Index(name string) int {
	for i, r := range s.Rules {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// Add appends r (validated; names are unique) and returns the new set.
func (s Set) Add(r Rule) (Set, error) {
	if err := r.Validate(); err != nil {
		return s, err
	}
	if s.Index(r.Name) >= 0 {
		return s, &RuleError{Rule: r.Name, Err: ErrDuplicate}
	}
	s.Rules = append(append([]Rule{}, s.Rules...), r)
	return s, nil
}

// Remove drops the rule called name and returns the new set.
func (s Set) Remove(name string) (Set, error) {
	i := s.Index(name)
	if i < 0 {
		return s, &RuleError{Rule: name, Err: ErrNotFound}
	}
	s.Rules = append(append([]Rule{}, s.Rules[:i]...), s.Rules[i+1:]...)
	return s, nil
}

// SetDisabled switches the rule called name off (or on again) and returns
// the new set.
func (s Set) SetDisabled(name string, disabled bool) (Set, error) {
	i := s.Index(name)
	if i < 0 {
		return s, &RuleError{Rule: name, Err: ErrNotFound}
	}
	s.Rules = append([]Rule{}, s.Rules...)
	s.Rules[i].Disabled = disabled
	return s, nil
}

// AddSender adds addr ("a@b.c" or "@b.c") to the block list (or the allow
// list when allow is set), removing it from the other list, and returns the
// new set. Entries compare case-insensitively.
func (s Set) AddSender(addr string, allow bool) (Set, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if !ValidSender(addr) {
		return s, &RuleError{Err: invalid("%q is neither an address nor @domain", addr)}
	}
	drop := func(list []string) []string {
		var out []string
		for _, e := range list {
			if !strings.EqualFold(e, addr) {
				out = append(out, e)
			}
		}
		return out
	}
	s.Block, s.Allow = drop(s.Block), drop(s.Allow)
	if allow {
		s.Allow = append(s.Allow, addr)
	} else {
		s.Block = append(s.Block, addr)
	}
	return s, nil
}

// Replace puts r in place of the rule called name (keeping its position)
// and returns the new set. r may be renamed, but not to another rule's name.
func (s Set) Replace(name string, r Rule) (Set, error) {
	i := s.Index(name)
	if i < 0 {
		return s, &RuleError{Rule: name, Err: ErrNotFound}
	}
	if err := r.Validate(); err != nil {
		return s, err
	}
	if j := s.Index(r.Name); j >= 0 && j != i {
		return s, &RuleError{Rule: r.Name, Err: ErrDuplicate}
	}
	s.Rules = append([]Rule{}, s.Rules...)
	s.Rules[i] = r
	return s, nil
}
