package batch

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGood(t *testing.T) {
	in := "\ufeffSource, Destination ,source_password_cmd\n# a comment\n\na@old.test,a@new.test,pass show a\n\"b@old.test\",b@new.test,\n"
	rows, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 4 || rows[0].SourcePasswordCmd != "pass show a" || rows[1].Source != "b@old.test" || rows[1].Line != 5 {
		t.Fatalf("%+v", rows)
	}
	if rows[0].Key() != "a@old.test → a@new.test" {
		t.Error(rows[0].Key())
	}
}

func TestParseErrorsNameLineAndColumn(t *testing.T) {
	for _, c := range []struct {
		in        string
		line, col int
		name      string
		problem   Problem
	}{
		{"", 1, 0, "", ProblemNoHeader},
		{"source,dest\n", 1, 2, "", ProblemUnknownColumn},
		{"source,source\n", 1, 2, "source", ProblemDupColumn},
		{"source\na@x.test\n", 1, 0, "destination", ProblemMissingColumn},
		{"source,destination\n", 2, 0, "", ProblemNoRows},
		{"source,destination\na@x.test,b@y.test\n,c@y.test\n", 3, 1, "source", ProblemEmpty},
		{"destination,source\nb@y.test,not an address\n", 2, 2, "source", ProblemAddress},
		{"source,destination\na@x.test,A@X.test\n", 2, 2, "destination", ProblemSameAddress},
		{"source,destination\na@x.test,b@y.test\na@x.test,c@y.test\n", 3, 1, "source", ProblemDupRow},
		{"source,destination\na@x.test,b@y.test,extra\n", 2, 3, "", ProblemUnknownColumn},
		{"source,destination\na@x.test,\"b@y.test\n", 2, 0, "", ProblemSyntax},
	} {
		_, err := Parse(strings.NewReader(c.in))
		var ce *CSVError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if ce.Line != c.line || (c.problem != ProblemSyntax && ce.Column != c.col) || ce.Name != c.name || ce.Problem != c.problem {
			t.Errorf("%q: got %+v (%v)", c.in, *ce, ce)
		}
	}
}

func TestCheckCredentials(t *testing.T) {
	rows := []Row{{Line: 2, Source: "a@x.test", Dest: "b@y.test", SourcePasswordCmd: "echo x"}}
	var ce *CSVError
	if err := Check(rows, Template{}, Template{}); !errors.As(err, &ce) || ce.Name != ColDestPassword || ce.Line != 2 {
		t.Fatalf("%v", err)
	}
	if err := Check(rows, Template{}, Template{Admin: AdminAuthzid}); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateAccount(t *testing.T) {
	tpl := Template{Admin: AdminMaster}
	tpl.Account.Name, tpl.Account.Username, tpl.Account.PasswordCmd = "old-admin", "admin", "cat pw"
	a := tpl.account("chen@old.test", "")
	if a.LoginName() != "chen@old.test*admin" || a.Name != "old-admin" || a.PasswordCmd != "cat pw" {
		t.Errorf("master: %+v", a)
	}
	tpl.Admin = AdminAuthzid
	if a := tpl.account("chen@old.test", ""); a.LoginName() != "admin" || a.AuthorizeAs != "chen@old.test" {
		t.Errorf("authzid: %+v", a)
	}
	if a := tpl.account("chen@old.test", "pass chen"); a.LoginName() != "chen@old.test" || a.AuthorizeAs != "" || a.PasswordCmd != "pass chen" {
		t.Errorf("own password: %+v", a)
	}
}
