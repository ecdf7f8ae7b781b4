package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrEdited means a Magpie script was changed by hand after Magpie wrote
// it: its rules are shown as read-only text and Magpie will not overwrite it
// unless told to.
var ErrEdited = errors.New("rules: script was edited by hand")

// Script is a Sieve script as read back from a server.
type Script struct {
	// Owned is true when Magpie wrote the script (it has Magpie's header);
	// then Set holds exactly the rules that were compiled into it.
	Owned bool
	Set   Set
	// Edited is true when an Owned script's body no longer matches its
	// checksum: someone changed it by hand.
	Edited bool
	// Text is the whole script; for scripts Magpie did not write (or that
	// were edited) it is what to show, read-only.
	Text string
}

// Parse reads a Sieve script back. A script without Magpie's header is not
// an error: it is someone else's (Owned false). A Magpie header whose data
// cannot be decoded is an error.
func Parse(text string) (Script, error) {
	sc := Script{Text: text}
	norm := strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.SplitAfter(norm, "\n")
	var setJSON, sum string
	var haveMark bool
	i := 0
	for ; i < len(lines) && sum == ""; i++ {
		l := strings.TrimRight(lines[i], "\n")
		if !strings.HasPrefix(l, "#") {
			break
		}
		switch {
		case l == headerMark:
			haveMark = true
		case strings.HasPrefix(l, setPrefix):
			setJSON = strings.TrimPrefix(l, setPrefix)
		case strings.HasPrefix(l, sumPrefix):
			sum = strings.TrimPrefix(l, sumPrefix) // the header ends here
		}
	}
	if !haveMark || setJSON == "" || sum == "" {
		return sc, nil
	}
	dec := json.NewDecoder(strings.NewReader(setJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc.Set); err != nil {
		return sc, fmt.Errorf("rules: magpie script header: %w", err)
	}
	sc.Owned = true
	sc.Edited = checksum(strings.Join(lines[i:], "")) != sum
	return sc, nil
}
