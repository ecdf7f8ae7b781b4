package account

import (
	"errors"
	"path/filepath"
)

// Paths are where Magpie keeps its files, following the XDG Base Directory
// Specification: config under $XDG_CONFIG_HOME/magpie, data under
// $XDG_DATA_HOME/magpie, cache under $XDG_CACHE_HOME/magpie.
type Paths struct {
	ConfigDir string
	DataDir   string
	CacheDir  string
}

// ConfigFile is the config file's path.
func (p Paths) ConfigFile() string { return filepath.Join(p.ConfigDir, "config.toml") }

// StoreFile is the local mail store's path.
func (p Paths) StoreFile() string { return filepath.Join(p.DataDir, "mail.db") }

// ErrNoHome means neither an XDG variable nor HOME says where files go.
var ErrNoHome = errors.New("account: neither XDG_* nor HOME is set")

// ResolvePaths computes Paths from an environment lookup (os.Getenv in
// production, a map in tests). Relative XDG values are ignored, as the
// specification requires.
func ResolvePaths(getenv func(string) string) (Paths, error) {
	home := getenv("HOME")
	dir := func(env, fallback string) (string, error) {
		if v := getenv(env); v != "" && filepath.IsAbs(v) {
			return filepath.Join(v, "magpie"), nil
		}
		if home == "" {
			return "", ErrNoHome
		}
		return filepath.Join(home, fallback, "magpie"), nil
	}
	var p Paths
	var err error
	if p.ConfigDir, err = dir("XDG_CONFIG_HOME", ".config"); err != nil {
		return Paths{}, err
	}
	if p.DataDir, err = dir("XDG_DATA_HOME", filepath.Join(".local", "share")); err != nil {
		return Paths{}, err
	}
	if p.CacheDir, err = dir("XDG_CACHE_HOME", ".cache"); err != nil {
		return Paths{}, err
	}
	return p, nil
}
