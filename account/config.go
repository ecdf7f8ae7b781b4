package account

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Config is Magpie's configuration file: settings and accounts. It never
// holds a password.
type Config struct {
	// Path is the file the config was read from or will be written to.
	Path string
	// Language overrides the locale from the environment ("zh-CN" or "en");
	// empty means LANG decides.
	Language string
	// Editor is the command that edits a message body ("vim", "code -w");
	// empty means $VISUAL, $EDITOR, then the built-in editor.
	Editor string
	// Calendar holds the calendar view's settings.
	Calendar CalendarSettings
	Accounts []Account
}

// Account returns the account with the given name.
func (c *Config) Account(name string) (Account, bool) {
	for _, a := range c.Accounts {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}

// ConfigError is a problem in the config file, located by line and key.
type ConfigError struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key, e.g. "account[2].imap.security"
	Err  error  // wraps ErrUnknownKey, ErrInvalidValue, ErrMissing, ErrDuplicate… or a TOML syntax error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("account: config ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// ErrSyntax marks a TOML syntax error in the config file.
var ErrSyntax = errors.New("syntax error")

// LoadConfig reads the config at path. A missing file is an empty config
// (with Path set), not an error.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{Path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: read config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses config data; path is used in errors and kept in Config.
func ParseConfig(path string, data []byte) (*Config, error) {
	var f fileConfig
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, decodeError(path, data, err)
	}
	cfg := &Config{Path: path, Language: f.Language, Editor: f.Editor}
	lines := keyLines(data)
	locate := func(key string) int {
		for k := key; k != ""; k = parentKey(k) {
			if l, ok := lines[k]; ok {
				return l
			}
		}
		return 0
	}
	if f.Language != "" && f.Language != "zh-CN" && f.Language != "en" {
		return nil, &ConfigError{File: path, Line: locate("language"), Key: "language",
			Err: fmt.Errorf("%w: %q (want zh-CN or en)", ErrInvalidValue, f.Language)}
	}
	var err error
	var calKey string
	if cfg.Calendar, calKey, err = f.Calendar.settings(); err != nil {
		return nil, &ConfigError{File: path, Line: locate(calKey), Key: calKey, Err: err}
	}
	names := map[string]bool{}
	for i, fa := range f.Accounts {
		prefix := fmt.Sprintf("account[%d]", i+1)
		a, ferr := fa.toAccount()
		if ferr == nil {
			ferr = a.Validate()
		}
		if ferr == nil && names[a.Name] {
			ferr = &FieldError{Field: "name", Err: fmt.Errorf("%w: account %q", ErrDuplicate, a.Name)}
		}
		if ferr != nil {
			var fe *FieldError
			if errors.As(ferr, &fe) {
				key := prefix + "." + fe.Field
				return nil, &ConfigError{File: path, Line: locate(key), Key: key, Err: fe.Err}
			}
			return nil, &ConfigError{File: path, Line: locate(prefix), Key: prefix, Err: ferr}
		}
		names[a.Name] = true
		cfg.Accounts = append(cfg.Accounts, a)
	}
	return cfg, nil
}

// decodeError turns go-toml's errors into a ConfigError with line and key.
func decodeError(path string, data []byte, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		de := strict.Errors[0]
		line, _ := de.Position()
		return &ConfigError{File: path, Line: line, Key: displayKey(data, line, de.Key()), Err: ErrUnknownKey}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		kind := ErrSyntax
		if len(de.Key()) > 0 {
			kind = ErrInvalidValue
		}
		return &ConfigError{File: path, Line: line, Key: displayKey(data, line, de.Key()),
			Err: fmt.Errorf("%w: %s", kind, strings.TrimPrefix(de.Error(), "toml: "))}
	}
	return &ConfigError{File: path, Err: fmt.Errorf("%w: %v", ErrInvalidValue, err)}
}

// displayKey names the key at line the way ParseConfig names keys
// (account[N]…), falling back to go-toml's dotted key.
func displayKey(data []byte, line int, key toml.Key) string {
	if len(key) == 0 {
		return ""
	}
	last := key[len(key)-1]
	for k, l := range keyLines(data) {
		if l == line && (k == last || strings.HasSuffix(k, "."+last)) {
			return k
		}
	}
	return strings.Join(key, ".")
}

// Save writes the whole config atomically (temporary file, then rename),
// creating its directory. Comments in an existing file are not kept; use
// AppendAccount and RemoveAccount to edit a hand-written file in place.
func (c *Config) Save() error {
	data, err := c.encode()
	if err != nil {
		return err
	}
	return writeFileAtomic(c.Path, data)
}

func (c *Config) encode() ([]byte, error) {
	f := fileConfig{Language: c.Language, Editor: c.Editor, Calendar: toFileCalendarSettings(c.Calendar)}
	for _, a := range c.Accounts {
		f.Accounts = append(f.Accounts, fromAccount(a))
	}
	var buf bytes.Buffer
	buf.WriteString(configHeader)
	enc := toml.NewEncoder(&buf).SetIndentTables(true)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("account: encode config: %w", err)
	}
	return buf.Bytes(), nil
}

const configHeader = "# Magpie configuration. Passwords are never stored here: they live in the\n" +
	"# OS keyring (service \"magpie\") or come from password_cmd.\n\n"

// AppendAccount adds a validated account to the config file at c.Path,
// keeping the rest of the file (comments included) as it is.
func (c *Config) AppendAccount(a Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if _, ok := c.Account(a.Name); ok {
		return &FieldError{Field: "name", Err: fmt.Errorf("%w: account %q", ErrDuplicate, a.Name)}
	}
	old, err := os.ReadFile(c.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("account: read config: %w", err)
	}
	var buf bytes.Buffer
	if len(old) == 0 {
		buf.WriteString(configHeader)
	} else {
		buf.Write(old)
		if !bytes.HasSuffix(old, []byte("\n")) {
			buf.WriteByte('\n')
		}
		buf.WriteByte('\n')
	}
	block, err := toml.Marshal(fileConfig{Accounts: []fileAccount{fromAccount(a)}})
	if err != nil {
		return fmt.Errorf("account: encode account: %w", err)
	}
	buf.Write(block)
	// Re-parse before writing: the file must stay loadable.
	if _, err := ParseConfig(c.Path, buf.Bytes()); err != nil {
		return err
	}
	if err := writeFileAtomic(c.Path, buf.Bytes()); err != nil {
		return err
	}
	c.Accounts = append(c.Accounts, a)
	return nil
}

// RemoveAccount deletes the named account's block from the config file,
// keeping everything else as it is.
func (c *Config) RemoveAccount(name string) error {
	idx := -1
	for i, a := range c.Accounts {
		if a.Name == name {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("account: %w: %q", ErrNotFound, name)
	}
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return fmt.Errorf("account: read config: %w", err)
	}
	out, err := cutAccountBlock(data, idx)
	if err != nil {
		return err
	}
	if _, err := ParseConfig(c.Path, out); err != nil {
		return err
	}
	if err := writeFileAtomic(c.Path, out); err != nil {
		return err
	}
	c.Accounts = append(c.Accounts[:idx:idx], c.Accounts[idx+1:]...)
	return nil
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old or the new file, never half of one.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("account: create config dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.toml")
	if err != nil {
		return fmt.Errorf("account: write config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("account: write config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("account: write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("account: write config: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("account: write config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("account: write config: %w", err)
	}
	return nil
}
