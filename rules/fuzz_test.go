package rules

import (
	"strings"
	"testing"
)

// FuzzParse: any script a server hands back reads without panicking, and a
// script Magpie wrote is told apart from an edited one.
func FuzzParse(f *testing.F) {
	text, _ := Compile(sampleSet(), CompileOptions{})
	f.Add(text)
	f.Add("require \"fileinto\";\nfileinto \"x\";\n")
	f.Add(headerMark + "\n" + setPrefix + "{}\n" + sumPrefix + "00\n")
	f.Fuzz(func(t *testing.T, in string) {
		sc, err := Parse(in)
		if err != nil || !sc.Owned || sc.Edited {
			return
		}
		// An unedited Magpie script compiles back to itself (modulo CRLF).
		if sc.Set.Validate() == nil {
			again, err := Compile(sc.Set, CompileOptions{Include: includes(in)})
			if err == nil && !strings.Contains(strings.ReplaceAll(in, "\r\n", "\n"), again[strings.Index(again, sumPrefix):]) {
				t.Errorf("unedited script does not compile back:\n%s\n---\n%s", in, again)
			}
		}
	})
}

// FuzzParseCondition: the command-line syntax never panics and what it
// accepts writes back to something that reads the same.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"from:@client.example", "subject:~^x", "larger:5M", "header:X-A:=b", "-has:attachment", "to:*@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			return
		}
		c2, err := ParseCondition(c.String())
		if err != nil || c2 != c {
			t.Errorf("%q → %q → %+v (%v)", s, c.String(), c2, err)
		}
	})
}
