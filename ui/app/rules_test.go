package app

import (
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// I opens the rules screen over the mail (read in a Cmd); esc shows the
// mail again.
func TestRulesScreenKey(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ZH} {
		m := newTestModel(t, newFixture(t), lang, 80, 24)
		press(t, m, "I")
		s := screen(m)
		checkFrame(t, s, 80, 24)
		want := map[i18n.Lang]string{i18n.EN: "Run on this computer", i18n.ZH: "在本机执行"}[lang]
		if !m.rulesOn || !strings.Contains(s, want) {
			t.Fatalf("I did not open the rules screen:\n%s", s)
		}
		press(t, m, "esc")
		if m.rulesOn || !strings.Contains(screen(m), "Magpie") {
			t.Fatalf("esc did not close it:\n%s", screen(m))
		}
	}
}

// In the rules screen, v shows the vacation reply: for an account without
// ManageSieve, which provider web page sets it; n opens the rule editor.
func TestRulesScreenVacationAndEditor(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ZH} {
		m := newTestModel(t, newFixture(t), lang, 80, 24)
		press(t, m, "I")
		press(t, m, "v")
		s := screen(m)
		checkFrame(t, s, 80, 24)
		want := map[i18n.Lang]string{i18n.EN: "web settings", i18n.ZH: "网页设置"}[lang]
		if !strings.Contains(strings.Join(strings.Fields(s), " "), want) {
			t.Fatalf("v did not show the vacation screen:\n%s", s)
		}
		press(t, m, "esc")
		press(t, m, "n")
		want = map[i18n.Lang]string{i18n.EN: "New rule", i18n.ZH: "新建规则"}[lang]
		if s := screen(m); !strings.Contains(s, want) {
			t.Fatalf("n did not open the editor:\n%s", s)
		}
		press(t, m, "esc")
		press(t, m, "esc")
		if m.rulesOn {
			t.Fatal("esc did not close the rules screen")
		}
	}
}
