package rules

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleSet uses every condition and action, Chinese folder names and a
// vacation with dates and aliases.
func sampleSet() Set {
	return Set{
		Rules: []Rule{
			{Name: "客户邮件", Conditions: []Condition{
				{Field: FieldFrom, Match: MatchContains, Value: "@client.example"},
				{Field: FieldSubject, Match: MatchContains, Value: "报价"},
			}, Actions: []Action{{Kind: ActionMove, Arg: "客户/2026"}, {Kind: ActionFlag}}},
			{Name: "jira", Any: true, Conditions: []Condition{
				{Field: FieldSubject, Match: MatchRegex, Value: `^\[JIRA\] [A-Z]+-[0-9]+`},
				{Field: FieldHeader, Header: "X-Mailer", Match: MatchIs, Value: "JIRA"},
			}, Actions: []Action{{Kind: ActionCopy, Arg: "Jira"}, {Kind: ActionRead}, {Kind: ActionKeyword, Arg: "$label1"}}},
			{Name: "sales alias", Conditions: []Condition{{Field: FieldIdentity, Value: "sales@example.test"}},
				Actions: []Action{{Kind: ActionMove, Arg: "销售部"}, {Kind: ActionStop}}},
			{Name: "big attachments", Conditions: []Condition{
				{Field: FieldAttachment}, {Field: FieldSize, Match: MatchOver, Size: 5 << 20},
			}, Actions: []Action{{Kind: ActionMove, Arg: "附件"}}},
			{Name: "newsletters", Conditions: []Condition{
				{Field: FieldRecipient, Match: MatchMatches, Value: "*@lists.example"},
				{Field: FieldBody, Match: MatchContains, Value: "unsubscribe", Not: true},
				{Field: FieldTo, Match: MatchIs, Value: "me@example.test"},
				{Field: FieldCc, Match: MatchContains, Value: `quote"back\slash`},
			}, Actions: []Action{{Kind: ActionDelete}}},
			{Name: "boss", Disabled: true, Conditions: []Condition{{Field: FieldFrom, Match: MatchIs, Value: "boss@example.test"}},
				Actions: []Action{{Kind: ActionForward, Arg: "me@elsewhere.example"}}},
		},
		Block: []string{"spam@bad.example", "@junk.example"},
		Allow: []string{"friend@junk.example"},
		Vacation: &Vacation{Enabled: true, Subject: "休假中 / On leave",
			Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			Body: "我在休假，12 月 1 日回来。\nI am on leave until 1 December.", Days: 3,
			Addresses: []string{"me@example.test", "sales@example.test"}},
	}
}

func TestCompileRoundTrip(t *testing.T) {
	s := sampleSet()
	text, err := Compile(s, CompileOptions{Junk: "垃圾邮件", Include: []string{"roundcube"}})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Owned || sc.Edited {
		t.Fatalf("owned %v edited %v", sc.Owned, sc.Edited)
	}
	if !reflect.DeepEqual(sc.Set, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", sc.Set, s)
	}
	// Same set, same script: compiling is deterministic.
	again, _ := Compile(sc.Set, CompileOptions{Junk: "垃圾邮件", Include: []string{"roundcube"}})
	if again != text {
		t.Fatal("compiling the read-back set gave a different script")
	}
	// CRLF line ends (as some servers hand scripts back) read the same.
	sc2, err := Parse(strings.ReplaceAll(text, "\n", "\r\n"))
	if err != nil || !sc2.Owned || sc2.Edited {
		t.Fatalf("CRLF: owned %v edited %v err %v", sc2.Owned, sc2.Edited, err)
	}
	for _, want := range []string{
		`fileinto :create "客户/2026";`, `addflag "\\Flagged";`, `fileinto :copy :create "Jira";`,
		`header :regex "subject" "^\\[JIRA\\] [A-Z]+-[0-9]+"`, `address :all :is ["to", "cc"] "sales@example.test"`,
		`header :mime :anychild :contains "Content-Disposition" "attachment"`, `size :over 5242880`,
		`not body :text :contains "unsubscribe"`, `"quote\"back\\slash"`, `fileinto "Trash";`,
		`# rule "boss" (disabled)`, `fileinto "垃圾邮件";`, `include :personal :optional "roundcube";`,
		`currentdate :value "ge" "date" "2026-11-20"`, `:addresses ["me@example.test", "sales@example.test"]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("script lacks %s\n%s", want, text)
		}
	}
	if strings.Contains(text, "redirect") {
		t.Error("a disabled rule was compiled")
	}
}

func TestParseForeignAndEdited(t *testing.T) {
	foreign := "require \"fileinto\";\nif header :contains \"subject\" \"x\" { fileinto \"X\"; }\n"
	sc, err := Parse(foreign)
	if err != nil || sc.Owned || sc.Text != foreign {
		t.Fatalf("foreign script: %+v %v", sc, err)
	}
	text, _ := Compile(sampleSet(), CompileOptions{})
	sc, err = Parse(text + "discard;\n")
	if err != nil || !sc.Owned || !sc.Edited {
		t.Fatalf("edited script: owned %v edited %v err %v", sc.Owned, sc.Edited, err)
	}
	bad := strings.Replace(text, `{"rules"`, `{"rulez"`, 1)
	if _, err := Parse(bad); err == nil {
		t.Fatal("a broken header was accepted")
	}
}

func TestValidate(t *testing.T) {
	ok := Rule{Name: "r", Conditions: []Condition{{Field: FieldSubject, Match: MatchContains, Value: "x"}}, Actions: []Action{{Kind: ActionRead}}}
	cases := map[string]func(r *Rule){
		"no name":       func(r *Rule) { r.Name = " " },
		"newline name":  func(r *Rule) { r.Name = "a\nb" },
		"no conditions": func(r *Rule) { r.Conditions = nil },
		"no actions":    func(r *Rule) { r.Actions = nil },
		"bad regex":     func(r *Rule) { r.Conditions[0] = Condition{Field: FieldSubject, Match: MatchRegex, Value: "("} },
		"size contains": func(r *Rule) { r.Conditions[0] = Condition{Field: FieldSize, Match: MatchContains, Size: 1} },
		"bad header": func(r *Rule) {
			r.Conditions[0] = Condition{Field: FieldHeader, Header: "X Y", Match: MatchIs, Value: "v"}
		},
		"forward nobody": func(r *Rule) { r.Actions[0] = Action{Kind: ActionForward, Arg: "nobody"} },
		"move nowhere":   func(r *Rule) { r.Actions[0] = Action{Kind: ActionMove} },
		"bad keyword":    func(r *Rule) { r.Actions[0] = Action{Kind: ActionKeyword, Arg: "a b"} },
		"system keyword": func(r *Rule) { r.Actions[0] = Action{Kind: ActionKeyword, Arg: `\Seen`} },
		"unknown action": func(r *Rule) { r.Actions[0] = Action{Kind: "explode"} },
	}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range cases {
		r := ok
		r.Conditions = append([]Condition{}, ok.Conditions...)
		r.Actions = append([]Action{}, ok.Actions...)
		mut(&r)
		if err := r.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	s, err := Set{}.Add(ok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ok); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := s.Remove("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove: %v", err)
	}
	s, _ = s.AddSender("Spam@Bad.Example", false)
	s, _ = s.AddSender("spam@bad.example", true)
	if len(s.Block) != 0 || !reflect.DeepEqual(s.Allow, []string{"spam@bad.example"}) {
		t.Fatalf("block/allow: %+v %+v", s.Block, s.Allow)
	}
	if _, err := s.AddSender("@", false); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad sender: %v", err)
	}
}

// TestCompiledScriptsCompile runs Pigeonhole's own compiler (sievec) over
// compiled scripts: what Magpie writes is valid Sieve for Dovecot.
func TestCompiledScriptsCompile(t *testing.T) {
	sievec, err := exec.LookPath("sievec")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sievec not installed (apt-get install dovecot-sieve)")
		}
		t.Skip("sievec not installed (apt-get install dovecot-sieve)")
	}
	dir := t.TempDir()
	sets := map[string]Set{"full": sampleSet(), "empty": {}, "block only": {Block: []string{"@x.example"}},
		"vacation undated": {Vacation: &Vacation{Enabled: true, Body: "away"}}}
	for name, s := range sets {
		text, err := Compile(s, CompileOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".sieve")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.CommandContext(t.Context(), sievec, path, path+".svbin").CombinedOutput()
		if err != nil || strings.Contains(string(out), "error") {
			t.Errorf("%s: sievec: %v\n%s\n%s", name, err, out, text)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*@lists.example", "a@lists.example", true},
		{"*@lists.example", "a@lists.example.com", false},
		{"a?c", "abc", true},
		{"a?c", "a中c", true},
		{"a\\*c", "a*c", true},
		{"a\\*c", "abc", false},
		{"*报价*", "关于报价单", true},
		{"", "", true},
		{"*", "", true},
	} {
		if got := glob(c.p, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestSyntaxRoundTrip(t *testing.T) {
	for _, s := range []string{
		"from:@client.example", "from:=boss@example.test", "to:*@lists.example", "cc:王", "rcpt:team@example.test",
		"subject:季度 报告", "subject:~^\\[jira\\]", "body:退订", "header:X-Mailer:=JIRA", "-has:attachment",
		"has:attachment", "larger:5M", "smaller:100K", "larger:1500", "identity:sales@example.test", "-subject:newsletter",
	} {
		c, err := ParseCondition(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if c.String() != s {
			t.Errorf("%s: reads back as %s", s, c.String())
		}
	}
	for _, bad := range []string{"from", "nokey:x", "has:wings", "larger:5X", "header:X", "subject:", "subject:~(", "identity:nobody"} {
		if _, err := ParseCondition(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	for _, s := range []string{"move:客户/2026", "copy:Jira", "read", "flag", "keyword:$label1", "delete", "forward:me@else.example", "stop"} {
		a, err := ParseAction(s)
		if err != nil || a.String() != s {
			t.Errorf("%s: %v %v", s, a, err)
		}
	}
	for _, bad := range []string{"move", "explode", "forward:x", "read:now", "keyword:a b"} {
		if _, err := ParseAction(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestReplace(t *testing.T) {
	a := Rule{Name: "a", Conditions: []Condition{{Field: FieldAttachment}}, Actions: []Action{{Kind: ActionFlag}}}
	b := Rule{Name: "b", Conditions: []Condition{{Field: FieldAttachment}}, Actions: []Action{{Kind: ActionRead}}}
	s, _ := Set{}.Add(a)
	s, _ = s.Add(b)
	c := a
	c.Name, c.Any = "c", true
	got, err := s.Replace("a", c)
	if err != nil || got.Rules[0].Name != "c" || !got.Rules[0].Any || s.Rules[0].Name != "a" {
		t.Fatalf("replace: %+v %v (the old set must not change: %+v)", got.Rules, err, s.Rules)
	}
	if _, err := s.Replace("a", b); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("renamed onto another rule: %v", err)
	}
	if _, err := s.Replace("z", c); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no such rule: %v", err)
	}
	bad := c
	bad.Actions = nil
	if _, err := s.Replace("a", bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid rule: %v", err)
	}
}
