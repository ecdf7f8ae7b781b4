package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax marks a condition or action that does not parse.
var ErrSyntax = errors.New("rules: syntax")

// ParseCondition reads one condition in Magpie's search-like syntax:
//
//	from:V  to:V  cc:V  rcpt:V (To or Cc)  subject:V  body:V  header:NAME:V
//	identity:ADDR (addressed to this address of the account)
//	has:attachment  larger:5M  smaller:100K
//
// V is matched as a substring; "=V" must equal the whole value, a V with
// "*" or "?" is a wildcard pattern, and "~V" a regular expression. A
// leading "-" negates: -subject:newsletter.
func ParseCondition(s string) (Condition, error) {
	var c Condition
	spec := s
	if rest, ok := strings.CutPrefix(spec, "-"); ok {
		c.Not, spec = true, rest
	}
	key, val, ok := strings.Cut(spec, ":")
	if !ok {
		return c, fmt.Errorf("%w: %q: want KEY:VALUE", ErrSyntax, s)
	}
	switch strings.ToLower(key) {
	case "from":
		c.Field = FieldFrom
	case "to":
		c.Field = FieldTo
	case "cc":
		c.Field = FieldCc
	case "rcpt", "recipient":
		c.Field = FieldRecipient
	case "subject":
		c.Field = FieldSubject
	case "body":
		c.Field = FieldBody
	case "header":
		c.Field = FieldHeader
		name, v, ok := strings.Cut(val, ":")
		if !ok {
			return c, fmt.Errorf("%w: %q: want header:NAME:VALUE", ErrSyntax, s)
		}
		c.Header, val = name, v
	case "identity":
		c.Field, c.Value = FieldIdentity, val
		return c, c.validate()
	case "has":
		if !strings.EqualFold(val, "attachment") {
			return c, fmt.Errorf("%w: %q: only has:attachment", ErrSyntax, s)
		}
		c.Field = FieldAttachment
		return c, nil
	case "larger", "smaller":
		n, err := ParseSize(val)
		if err != nil {
			return c, fmt.Errorf("%w: %q: %v", ErrSyntax, s, err)
		}
		c.Field, c.Size, c.Match = FieldSize, n, MatchOver
		if strings.EqualFold(key, "smaller") {
			c.Match = MatchUnder
		}
		return c, nil
	default:
		return c, fmt.Errorf("%w: %q: unknown key %q", ErrSyntax, s, key)
	}
	switch {
	case strings.HasPrefix(val, "="):
		c.Match, c.Value = MatchIs, val[1:]
	case strings.HasPrefix(val, "~"):
		c.Match, c.Value = MatchRegex, val[1:]
	case strings.ContainsAny(val, "*?"):
		c.Match, c.Value = MatchMatches, val
	default:
		c.Match, c.Value = MatchContains, val
	}
	return c, c.validate()
}

// String writes c back in the syntax ParseCondition reads.
func (c Condition) String() string {
	neg := ""
	if c.Not {
		neg = "-"
	}
	val := c.Value
	switch c.Match {
	case MatchIs:
		val = "=" + val
	case MatchRegex:
		val = "~" + val
	}
	switch c.Field {
	case FieldAttachment:
		return neg + "has:attachment"
	case FieldSize:
		k := "larger"
		if c.Match == MatchUnder {
			k = "smaller"
		}
		return neg + k + ":" + FormatSize(c.Size)
	case FieldHeader:
		return neg + "header:" + c.Header + ":" + val
	case FieldRecipient:
		return neg + "rcpt:" + val
	case FieldIdentity:
		return neg + "identity:" + c.Value
	}
	return neg + string(c.Field) + ":" + val
}

// ParseAction reads one action: move:FOLDER copy:FOLDER read flag
// keyword:K delete forward:ADDR stop.
func ParseAction(s string) (Action, error) {
	key, arg, _ := strings.Cut(s, ":")
	a := Action{Kind: ActionKind(strings.ToLower(key)), Arg: arg}
	switch a.Kind {
	case ActionMove, ActionCopy, ActionRead, ActionFlag, ActionKeyword, ActionDelete, ActionForward, ActionStop:
	default:
		return a, fmt.Errorf("%w: %q: unknown action %q", ErrSyntax, s, key)
	}
	return a, a.validate()
}

// String writes a back in the syntax ParseAction reads.
func (a Action) String() string {
	if a.Arg == "" {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + a.Arg
}

// ParseSize reads "5M", "100K", "1G" or a number of octets (1K = 1024).
func ParseSize(s string) (int64, error) {
	mult := int64(1)
	num := strings.TrimSpace(s)
	switch {
	case strings.HasSuffix(strings.ToUpper(num), "K"):
		mult, num = 1<<10, num[:len(num)-1]
	case strings.HasSuffix(strings.ToUpper(num), "M"):
		mult, num = 1<<20, num[:len(num)-1]
	case strings.HasSuffix(strings.ToUpper(num), "G"):
		mult, num = 1<<30, num[:len(num)-1]
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("size %q (want e.g. 5M, 100K)", s)
	}
	return n * mult, nil
}

// FormatSize writes a size the way ParseSize reads it, exactly.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
