package message

import (
	"sort"
	"strconv"
	"strings"
)

// mediaValue is a parsed Content-Type or Content-Disposition value.
type mediaValue struct {
	value  string            // lower-cased "type/subtype" or disposition
	params map[string]string // lower-cased names, decoded values
}

// parseMediaValue parses "value; name=val; name*0*=charset”…" leniently.
// Unlike mime.ParseMediaType it never drops every parameter because one is
// malformed: bad ones are skipped (and recorded), unquoted values with
// spaces or 8-bit bytes are kept, and RFC 2231 continuations and charsets
// (any charset decodeCharset knows, not only UTF-8) are decoded. Plain
// values are RFC 2047-decoded too, as many mailers (wrongly) encode
// filenames that way.
func parseMediaValue(s string, probs *problems) mediaValue {
	parts := splitParams(s)
	mv := mediaValue{params: make(map[string]string)}
	if len(parts) == 0 {
		return mv
	}
	mv.value = strings.ToLower(strings.TrimSpace(stripComments(parts[0])))
	type piece struct {
		n       int
		encoded bool
		val     string
	}
	continued := make(map[string][]piece)
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			probs.add("message: malformed MIME parameter")
			continue
		}
		name := strings.ToLower(strings.TrimSpace(p[:eq]))
		val := unquoteParam(strings.TrimSpace(p[eq+1:]))
		base, rest, hasStar := strings.Cut(name, "*")
		if !hasStar {
			if _, dup := mv.params[base]; !dup {
				mv.params[base] = val
			}
			continue
		}
		pc := piece{val: val}
		switch {
		case rest == "": // name*=charset'lang'value
			pc.encoded = true
		default:
			numStr, enc := strings.CutSuffix(rest, "*")
			n, err := strconv.Atoi(numStr)
			if err != nil || n < 0 || n > 999 {
				probs.add("message: malformed RFC 2231 parameter")
				continue
			}
			pc.n, pc.encoded = n, enc
		}
		continued[base] = append(continued[base], pc)
	}
	names := make([]string, 0, len(continued))
	for name := range continued {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pieces := continued[name]
		sort.SliceStable(pieces, func(i, j int) bool { return pieces[i].n < pieces[j].n })
		var cs string
		var buf []byte
		for i, pc := range pieces {
			v := pc.val
			if pc.encoded {
				if i == 0 {
					if c, rest, ok := strings.Cut(v, "'"); ok {
						if _, rest2, ok2 := strings.Cut(rest, "'"); ok2 {
							cs, v = c, rest2
						} else {
							cs, v = c, rest
						}
					}
				}
				buf = append(buf, percentDecode(v)...)
			} else {
				buf = append(buf, v...)
			}
		}
		// The RFC 2231 form wins over a plain one of the same name.
		mv.params[name] = decodeCharset(buf, cs, probs)
	}
	for k, v := range mv.params {
		mv.params[k] = decodeWords(v, probs)
	}
	return mv
}

// splitParams splits at semicolons outside double quotes.
func splitParams(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start <= len(s) {
		out = append(out, s[start:])
	}
	return out
}

// unquoteParam removes surrounding quotes and backslash escapes. An
// unterminated quote is taken to run to the end.
func unquoteParam(v string) string {
	if !strings.HasPrefix(v, `"`) {
		return strings.TrimSpace(stripComments(v))
	}
	v = v[1:]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if i+1 < len(v) {
				i++
				b.WriteByte(v[i])
			}
			continue
		case '"':
			return b.String()
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// percentDecode decodes %XX escapes, keeping a broken escape literally.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}
