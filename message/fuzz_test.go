package message

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if len(raw) == 0 {
			if err != ErrEmpty {
				t.Fatalf("Parse(empty) err = %v", err)
			}
			return
		}
		if err != nil || p == nil {
			t.Fatalf("Parse failed on non-empty input: %v", err)
		}
		checkParsedSafe(t, p)
		for _, a := range p.Attachments {
			if a.Size < 0 || a.PartPath == "" {
				t.Fatalf("bad attachment %+v", a)
			}
		}
		if _, err := HeaderFields(raw); err != nil {
			t.Fatalf("HeaderFields failed on non-empty input: %v", err)
		}
	})
}

func FuzzSanitizeText(f *testing.F) {
	for _, c := range sanitizeCases() {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeText(s)
		checkSafeText(t, out, true)
		checkSafeText(t, SanitizeLine(s), false)
		if again := SanitizeText(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

func FuzzSafeFilename(f *testing.F) {
	for _, c := range filenameCases() {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafeFilename(t, s, SafeFilename(s))
	})
}
