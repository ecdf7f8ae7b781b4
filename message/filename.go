package message

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxFilenameBytes bounds what SafeFilename returns, in bytes. It is below
// the 255-byte limit of common file systems so that callers can add a
// " (2)" style suffix when a name is taken.
const MaxFilenameBytes = 200

// maxExtBytes is the longest extension SafeFilename keeps when it shortens.
const maxExtBytes = 16

// ErrUnsafePath is returned (wrapped) by SafeJoin when the joined path would
// leave its directory.
var ErrUnsafePath = errors.New("message: unsafe path")

// SafeFilename turns an attachment's name, as a hostile sender wrote it, into
// a single harmless file name component:
//   - only the base name is kept (everything up to the last '/' or '\');
//   - it is sanitised as by SanitizeLine, and bidi marks (LRM/RLM/ALM) and
//     all zero-width characters are removed too;
//   - characters Windows forbids (<>:"|?*) become '_' (which also defuses
//     drive letters like "C:"), runs of dots become one dot, leading dots,
//     dashes and spaces and trailing dots and spaces are removed;
//   - a reserved Windows device name (CON, PRN, AUX, NUL, COM0–9, LPT0–9,
//     with any extension) gets a leading '_';
//   - it is NFC-normalised and cut to MaxFilenameBytes without splitting a
//     rune, keeping a short extension;
//   - an empty result becomes "attachment".
//
// The result is valid UTF-8, non-empty, and contains no '/', '\\', "..",
// NUL or control character. SafeFilename is pure and safe for concurrent
// use.
func SafeFilename(name string) string {
	name = strings.ToValidUTF8(name, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = SanitizeLine(name)
	name = norm.NFC.String(name)
	var b strings.Builder
	lastDot := false
	for _, r := range name {
		switch {
		case isBidiMark(r) || r == 0x200c || r == 0x200d || (r >= 0xe0000 && r <= 0xe007f):
			continue
		case r == '/' || r == '\\': // may come back from NFC of nothing, but be sure
			r = '_'
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		case unicode.IsSpace(r):
			r = ' '
		case !unicode.IsPrint(r):
			continue
		}
		if r == '.' {
			if lastDot {
				continue
			}
			lastDot = true
		} else {
			lastDot = false
		}
		b.WriteRune(r)
	}
	name = strings.TrimLeft(b.String(), ".- ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "attachment"
	}
	if isReservedWindowsName(name) {
		name = "_" + name
	}
	return truncateFilename(name, MaxFilenameBytes)
}

// isReservedWindowsName reports whether name's stem (before the first dot,
// trailing spaces ignored) is a DOS device name.
func isReservedWindowsName(name string) bool {
	stem := name
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) >= 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		d := stem[3:]
		if len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
			return true
		}
		switch d {
		case "¹", "²", "³":
			return true
		}
	}
	return false
}

// truncateFilename cuts name to at most max bytes on a rune boundary,
// keeping its extension when that is short.
func truncateFilename(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := filepath.Ext(name)
	if len(ext) > maxExtBytes || len(ext) == len(name) {
		ext = ""
	}
	stem := name[:len(name)-len(ext)]
	limit := max - len(ext)
	for limit > 0 && !utf8.RuneStart(stem[limit]) {
		limit--
	}
	stem = strings.TrimRight(stem[:limit], ". ")
	if stem == "" {
		stem = "attachment"
	}
	return stem + ext
}

// SafeJoin returns the path of SafeFilename(name) inside dir. It guarantees
// the result is a direct child of dir: the name is reduced to one component,
// and if something already exists at the result and is a symbolic link, it
// must resolve inside dir's resolved path, or SafeJoin fails with an error
// wrapping ErrUnsafePath. dir must be non-empty. SafeJoin only reads the file
// system (Lstat, EvalSymlinks); a check followed by a create is still open
// to a race with whoever else can write to dir, so callers create files with
// O_EXCL|O_NOFOLLOW semantics where they can.
func SafeJoin(dir, name string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("%w: empty directory", ErrUnsafePath)
	}
	clean := filepath.Clean(dir)
	p := filepath.Join(clean, SafeFilename(name))
	if filepath.Dir(p) != clean {
		return "", fmt.Errorf("%w: %q escapes %q", ErrUnsafePath, name, dir)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return p, nil
		}
		return "", fmt.Errorf("message: safe join %q: %w", p, err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		return p, nil
	}
	realDir, err := filepath.EvalSymlinks(clean)
	if err != nil {
		return "", fmt.Errorf("message: safe join: resolve %q: %w", dir, err)
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		// A dangling link: writing through it would create its target,
		// wherever that is.
		return "", fmt.Errorf("%w: %q is a dangling symbolic link", ErrUnsafePath, p)
	}
	rel, err := filepath.Rel(realDir, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%w: %q links outside %q", ErrUnsafePath, p, dir)
	}
	return p, nil
}
