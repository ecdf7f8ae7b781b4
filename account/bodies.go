package account

import (
	"fmt"
	"strconv"
	"strings"
)

// BodyMode says which message bodies are downloaded after the headers.
type BodyMode int

const (
	BodiesAll    BodyMode = iota // every body (the default: offline-first)
	BodiesNone                   // headers only; bodies on demand
	BodiesRecent                 // bodies of messages younger than Days
)

// BodyPolicy is an account's body download policy.
type BodyPolicy struct {
	Mode BodyMode
	Days int // for BodiesRecent
}

// ParseBodyPolicy reads "all", "none" or "recent:N" / "recent:Nd" (days).
func ParseBodyPolicy(s string) (BodyPolicy, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); {
	case s == "" || s == "all":
		return BodyPolicy{Mode: BodiesAll}, nil
	case s == "none":
		return BodyPolicy{Mode: BodiesNone}, nil
	case strings.HasPrefix(s, "recent:"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(s, "recent:"), "d"))
		if err != nil || n <= 0 {
			return BodyPolicy{}, fmt.Errorf("account: %w: body policy %q (want recent:N days)", ErrInvalidValue, s)
		}
		return BodyPolicy{Mode: BodiesRecent, Days: n}, nil
	}
	return BodyPolicy{}, fmt.Errorf("account: %w: body policy %q (want all, none or recent:N)", ErrInvalidValue, s)
}

func (p BodyPolicy) String() string {
	switch p.Mode {
	case BodiesNone:
		return "none"
	case BodiesRecent:
		return fmt.Sprintf("recent:%dd", p.Days)
	}
	return "all"
}
