package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[vsdqxXfgeEtTcUbop]`)

func verbs(s string) []string {
	v := verb.FindAllString(strings.ReplaceAll(s, "%%", ""), -1)
	sort.Strings(v)
	return v
}

func TestCatalogueIsComplete(t *testing.T) {
	for key, e := range catalogue() {
		if strings.TrimSpace(e[0]) == "" || strings.TrimSpace(e[1]) == "" {
			t.Errorf("%s: a language is missing: %q", key, e)
		}
		if zh, en := verbs(e[0]), verbs(e[1]); strings.Join(zh, ",") != strings.Join(en, ",") {
			t.Errorf("%s: format verbs differ: zh %v, en %v", key, zh, en)
		}
	}
}

func TestNoKeyInTwoTables(t *testing.T) {
	seen := map[string]int{}
	for i, part := range tables() {
		for k := range part {
			if j, ok := seen[k]; ok {
				t.Errorf("key %q is in tables %d and %d: one would silently win", k, j, i)
			}
			seen[k] = i
		}
	}
}

// TestEveryUsedKeyExists reads ui's sources for literal T("key") calls.
func TestEveryUsedKeyExists(t *testing.T) {
	cat := catalogue()
	call := regexp.MustCompile(`\.T\("([^"]+)"[,)]`) // "prefix."+x keys are checked where x is enumerable
	found := 0
	err := filepath.Walk("..", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			found++
			if _, ok := cat[m[1]]; !ok {
				t.Errorf("%s uses key %q, which the catalogue lacks", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d T() calls: is the scan broken?", found)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		override string
		env      map[string]string
		want     Lang
	}{
		{"", map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
		{"", map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{"", map[string]string{"LANG": "zh_TW.UTF-8"}, ZH},
		{"", map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, EN},
		{"", map[string]string{"LC_MESSAGES": "zh_CN.GB18030", "LANG": "C"}, ZH},
		{"", map[string]string{"LANG": "C.UTF-8"}, EN},
		{"", map[string]string{}, EN},
		{"zh-CN", map[string]string{"LANG": "en_US.UTF-8"}, ZH},
		{"en", map[string]string{"LC_ALL": "zh_CN.UTF-8"}, EN},
		{"klingon", map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
	}
	for _, tc := range cases {
		if got := Detect(tc.override, func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Detect(%q, %v) = %s, want %s", tc.override, tc.env, got, tc.want)
		}
	}
}

func TestPrinter(t *testing.T) {
	zh, en := New(ZH), New(EN)
	if got := zh.T("account.not_found", "work"); !strings.Contains(got, "没有名为 \"work\" 的账户") {
		t.Errorf("zh: %q", got)
	}
	if got := en.T("account.not_found", "work"); !strings.Contains(got, `no account named "work"`) {
		t.Errorf("en: %q", got)
	}
	if New("fr").Lang() != EN {
		t.Error("unknown language should fall back to English")
	}
	if zh.Pick("中", "en") != "中" || en.Pick("中", "en") != "en" || en.Pick("中", "") != "中" {
		t.Error("Pick")
	}
}
