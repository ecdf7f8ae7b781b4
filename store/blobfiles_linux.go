package store

import (
	"errors"
	"syscall"
)

// The blob files' system calls, one per step. os.File costs several more
// per file here (fcntl to learn the descriptor's mode, epoll_ctl to try
// the poller, an Lstat of the target before every Rename): about as many
// as the work itself on tmpfs, for each of an initial sync's messages.

// writeSynced creates path (which must not exist) holding data, and
// fsyncs it. The error wraps syscall.ENOENT (fs.ErrNotExist) when its
// directory is missing.
func writeSynced(path string, data []byte) error {
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
	})
	if err != nil {
		return err
	}
	for len(data) > 0 && err == nil {
		var n int
		n, err = ignoringEINTR(func() (int, error) { return syscall.Write(fd, data) })
		data = data[n:]
	}
	if err == nil {
		_, err = ignoringEINTR(func() (int, error) { return 0, syscall.Fsync(fd) })
	}
	return errors.Join(err, syscall.Close(fd))
}

// renameFile renames a file (never a directory) from to to.
func renameFile(from, to string) error { return syscall.Rename(from, to) }

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return err
	}
	_, err = ignoringEINTR(func() (int, error) { return 0, syscall.Fsync(fd) })
	return errors.Join(err, syscall.Close(fd))
}

// fileExists reports whether path exists, one access(2) and no
// allocation.
func fileExists(path string) bool { return syscall.Access(path, 0) == nil }

func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if !errors.Is(err, syscall.EINTR) {
			return n, err
		}
	}
}
