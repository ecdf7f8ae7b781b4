package composer

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/magpie-mail/magpie/store"
)

// suggest returns up to n known addresses whose address or name contains
// prefix (case-insensitive), in the order given (most used first).
func suggest(known []store.KnownAddress, prefix string, n int) []store.KnownAddress {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if prefix == "" {
		return nil
	}
	var out []store.KnownAddress
	for _, k := range known {
		if strings.Contains(strings.ToLower(k.Addr), prefix) || strings.Contains(strings.ToLower(k.Name), prefix) {
			out = append(out, k)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// lastItem is the address being typed: the text after the last comma.
func lastItem(s string) string {
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		return s[i+1:]
	}
	return s
}

// acceptSuggestion replaces the address being typed with the picked one.
func (m *Model) acceptSuggestion() {
	k := m.sugg[m.pick]
	v := string(m.inputs[m.focus])
	head := ""
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		head = v[:i+1] + " "
	}
	item := k.Addr
	if k.Name != "" {
		item = k.Name + " <" + k.Addr + ">"
	}
	m.inputs[m.focus] = []rune(head + item + ", ")
	m.sugg, m.pick = nil, 0
	m.dirty = true
}

// completePath completes the Attach input to the longest common prefix of
// the matching paths and lists them when there are several.
func (m *Model) completePath() {
	typed := string(m.inputs[FieldAttach])
	matches, err := m.glob(expandHome(typed) + "*")
	if err != nil || len(matches) == 0 {
		m.paths = nil
		return
	}
	sort.Strings(matches)
	common := matches[0]
	for _, p := range matches[1:] {
		for !strings.HasPrefix(p, common) {
			common = common[:len(common)-1]
		}
	}
	if len(matches) == 1 {
		if info, err := os.Stat(common); err == nil && info.IsDir() {
			common += string(filepath.Separator)
		}
	}
	if strings.HasPrefix(typed, "~") {
		if home, err := os.UserHomeDir(); err == nil && strings.HasPrefix(common, home) {
			common = "~" + strings.TrimPrefix(common, home)
		}
	}
	if len(common) >= len(typed) {
		m.inputs[FieldAttach] = []rune(common)
	}
	m.paths = nil
	if len(matches) > 1 {
		for _, p := range matches {
			m.paths = append(m.paths, filepath.Base(p))
		}
	}
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

func statFile(path string) (File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	if info.IsDir() {
		return File{}, &os.PathError{Op: "attach", Path: path, Err: os.ErrInvalid}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return File{}, err
	}
	return File{Path: abs, Name: filepath.Base(abs), Size: info.Size()}, nil
}

func globFiles(pattern string) ([]string, error) { return filepath.Glob(pattern) }
