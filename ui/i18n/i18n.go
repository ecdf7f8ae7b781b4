// Package i18n is Magpie's one message catalogue: every user-facing string,
// in Simplified Chinese (zh-CN) and English.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a user language.
type Lang string

const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// ParseLang accepts "zh-CN", "zh", "zh_CN.UTF-8", "en", "en_US"…; ok is
// false for anything else.
func ParseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	switch {
	case s == "zh" || strings.HasPrefix(s, "zh_") || strings.HasPrefix(s, "zh-"):
		return ZH, true
	case s == "en" || strings.HasPrefix(s, "en_") || strings.HasPrefix(s, "en-"):
		return EN, true
	}
	return "", false
}

// Detect picks the language: override (from config or a flag) when valid,
// else the POSIX locale variables in their order of precedence (LC_ALL,
// LC_MESSAGES, LANG); Chinese locales give ZH, anything else EN.
func Detect(override string, getenv func(string) string) Lang {
	if l, ok := ParseLang(override); ok {
		return l
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := getenv(v); val != "" {
			if l, ok := ParseLang(val); ok {
				return l
			}
			return EN // the first set variable decides, as in setlocale(3)
		}
	}
	return EN
}

// Printer formats catalogue messages in one language. It is immutable and
// safe for concurrent use.
type Printer struct {
	lang Lang
	msgs map[string]string
}

// New returns a Printer for lang (EN for anything unknown).
func New(lang Lang) *Printer {
	idx := 1
	if lang == ZH {
		idx = 0
	} else {
		lang = EN
	}
	// Straight from the tables into one map sized for them: a printer is
	// built before the first frame, so no merged catalogue on the way.
	parts := tables()
	n := 0
	for _, part := range parts {
		n += len(part)
	}
	msgs := make(map[string]string, n)
	for _, part := range parts {
		for k, v := range part {
			msgs[k] = v[idx]
		}
	}
	return &Printer{lang: lang, msgs: msgs}
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// T formats the message under key with args (fmt verbs). A missing key is
// a bug caught by the catalogue test; it prints the key itself.
func (p *Printer) T(key string, args ...any) string {
	msg, ok := p.msgs[key]
	if !ok {
		msg = key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Pick returns the text in the printer's language from a pair.
func (p *Printer) Pick(zh, en string) string {
	if p.lang == ZH && zh != "" {
		return zh
	}
	if en == "" {
		return zh
	}
	return en
}

// entry is one message: {zh-CN, en}.
type entry = [2]string

// catalogue merges the per-area tables. Built per Printer, so there is no
// package-level mutable map.
func catalogue() map[string]entry {
	all := map[string]entry{}
	for _, part := range tables() {
		for k, v := range part {
			all[k] = v
		}
	}
	return all
}

// tables are the per-area message tables; a key belongs to one table only
// (a test checks).
func tables() []map[string]entry {
	return []map[string]entry{cliMessages(), accountMessages(), diagnosisMessages(), syncMessages(),
		wizardMessages(), demoMessages(), tuiMessages(), migrateMessages(), migrateTUIMessages(), composeMessages(),
		calendarMessages(), rulesMessages(), indexMessages(), listMessages(), rulesTUIMessages(),
		calendarEditMessages(), calendarActionMessages(), inviteMessages(), calendarCLIEditMessages(), outboxMessages()}
}
