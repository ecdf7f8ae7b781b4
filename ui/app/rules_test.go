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
