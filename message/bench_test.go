package message

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCorpus parses every corpus message once per iteration
// (run by make bench; no test asserts timings).
func BenchmarkParseCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	var raws [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range raws {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkHeaderFields measures the cheap header-only parse.
func BenchmarkHeaderFields(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "valid", "reply_thread.eml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HeaderFields(raw); err != nil {
			b.Fatal(err)
		}
	}
}
