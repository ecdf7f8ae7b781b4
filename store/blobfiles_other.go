//go:build !linux

package store

import (
	"errors"
	"os"
)

// writeSynced creates path (which must not exist) holding data, and
// fsyncs it. The error wraps fs.ErrNotExist when its directory is
// missing.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// renameFile renames a file (never a directory) from to to.
func renameFile(from, to string) error { return os.Rename(from, to) }

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
