package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/magpie-mail/magpie/rules/managesieve"
)

// Sieve is the part of a ManageSieve session that server-side rules use;
// *managesieve.Client implements it.
type Sieve interface {
	ListScripts(ctx context.Context) ([]managesieve.ScriptInfo, error)
	GetScript(ctx context.Context, name string) (string, error)
	CheckScript(ctx context.Context, content string) error
	PutScript(ctx context.Context, name, content string) error
	SetActive(ctx context.Context, name string) error
}

var _ Sieve = (*managesieve.Client)(nil)

// Foreign is a script on the server that Magpie did not write: shown
// read-only, never changed.
type Foreign struct {
	Name   string
	Active bool
	Text   string
}

// ServerState is what the server holds: Magpie's script read back (zero
// when there is none), whether it is active, the user scripts it includes,
// and every other script.
type ServerState struct {
	Script   Script
	Exists   bool
	Active   bool
	Included []string
	Others   []Foreign
}

// Load reads the user's scripts from the server.
func Load(ctx context.Context, c Sieve) (ServerState, error) {
	var st ServerState
	list, err := c.ListScripts(ctx)
	if err != nil {
		return st, err
	}
	for _, info := range list {
		text, err := c.GetScript(ctx, info.Name)
		if err != nil {
			return st, err
		}
		if info.Name != ScriptName {
			st.Others = append(st.Others, Foreign{Name: info.Name, Active: info.Active, Text: text})
			continue
		}
		st.Exists, st.Active = true, info.Active
		if st.Script, err = Parse(text); err != nil {
			return st, err
		}
		st.Included = includes(text)
	}
	return st, nil
}

// includes lists the scripts a Magpie script includes (the lines Compile
// writes for CompileOptions.Include).
func includes(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, `include :personal :optional "`); ok {
			if name, ok := strings.CutSuffix(rest, `";`); ok {
				out = append(out, strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(name))
			}
		}
	}
	return out
}

// Installed says what Install did.
type Installed struct {
	// Included names the user scripts Magpie's script runs: the script that
	// was active before Magpie's, kept working by include.
	Included []string
	Script   string // the script uploaded
}

// Install compiles s, has the server check it (CHECKSCRIPT, RFC 5804
// §2.12), stores it as ScriptName and activates it. A user script that was
// active before is kept: Magpie's script includes it, so it still runs.
// When Magpie's script on the server was edited by hand, Install returns
// ErrEdited unless force is set. o.Include is filled in by Install.
func Install(ctx context.Context, c Sieve, s Set, o CompileOptions, force bool) (Installed, error) {
	st, err := Load(ctx, c)
	if err != nil {
		return Installed{}, err
	}
	if st.Exists && (st.Script.Edited || !st.Script.Owned) && !force {
		return Installed{}, fmt.Errorf("%w: %q", ErrEdited, ScriptName)
	}
	o.Include = nil
	have := map[string]bool{}
	for _, f := range st.Others {
		have[f.Name] = true
	}
	for _, name := range st.Included {
		if have[name] {
			o.Include = append(o.Include, name)
		}
	}
	for _, f := range st.Others {
		if f.Active && !contains(o.Include, f.Name) {
			o.Include = append(o.Include, f.Name)
		}
	}
	text, err := Compile(s, o)
	if err != nil {
		return Installed{}, err
	}
	if err := c.CheckScript(ctx, text); err != nil {
		return Installed{}, fmt.Errorf("rules: server refused the script: %w", err)
	}
	if err := c.PutScript(ctx, ScriptName, text); err != nil {
		return Installed{}, err
	}
	if !st.Active {
		if err := c.SetActive(ctx, ScriptName); err != nil {
			return Installed{}, err
		}
	}
	return Installed{Included: o.Include, Script: text}, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// CurrentSet returns the rules Magpie keeps on the server: the set from its
// script, or an empty set when there is none yet. A hand-edited script is
// ErrEdited (its text is in st.Script.Text to show).
func (st ServerState) CurrentSet() (Set, error) {
	if !st.Exists {
		return Set{}, nil
	}
	if !st.Script.Owned || st.Script.Edited {
		return Set{}, ErrEdited
	}
	return st.Script.Set, nil
}

// IsCheckError reports whether err is the server refusing a script as
// invalid (its text says why).
func IsCheckError(err error) bool {
	var e *managesieve.Error
	return errors.As(err, &e) && e.Status == "NO"
}
