package store

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
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

// blobDirFDs keeps a Store's blob subdirectories (and tmp) open, so that
// the encoders write each file relative to them (openat, renameat) and
// fsync its directory through a descriptor already open: two system calls
// fewer per file (the directory's open and close) and no walk of the
// database's path in the others. An initial sync writes a file per
// message. It is safe for concurrent use; after close, writes take the
// path-based writeBlobFile.
type blobDirFDs struct {
	dir    string
	mu     sync.RWMutex // held for reading by every write, for writing by close
	closed bool
	fds    [tmpSlot + 1]atomic.Int32 // descriptor+1 of "00".."ff" and tmp; 0: not open yet

	staleMu sync.Mutex
	stale   []int // descriptors of directories removed under them, closed by close
}

// tmpSlot is the slot of the tmp directory in blobDirFDs.fds.
const tmpSlot = 256

func newBlobDirFDs(dir string) *blobDirFDs { return &blobDirFDs{dir: dir} }

// write is writeBlobFile through the open directories. A directory
// removed under its descriptor (someone deleted the blob directory while
// the store was open) is forgotten, and that file written by path, which
// makes the directory again.
func (d *blobDirFDs) write(h Hash, data []byte) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return writeBlobFile(d.dir, h, data)
	}
	err := d.writeAt(h, data)
	if errors.Is(err, syscall.ENOENT) {
		d.forget(tmpSlot)
		d.forget(int(h[0]))
		return writeBlobFile(d.dir, h, data)
	}
	if err != nil {
		return fmt.Errorf("store: write blob: %w", err)
	}
	return nil
}

func (d *blobDirFDs) writeAt(h Hash, data []byte) error {
	var x [2 * len(Hash{})]byte
	hex.Encode(x[:], h[:])
	tmp, err := d.open(tmpSlot, "tmp")
	if err != nil {
		return err
	}
	sub, err := d.open(int(h[0]), string(x[:2]))
	if err != nil {
		return err
	}
	// Unique among concurrent writers of the same content too.
	name := string(x[:16]) + "." + strconv.FormatUint(rand.Uint64(), 36)
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Openat(tmp, name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
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
	if err = errors.Join(err, syscall.Close(fd)); err == nil {
		err = syscall.Renameat(tmp, name, sub, string(x[:]))
	}
	if err != nil {
		syscall.Unlinkat(tmp, name)
		return err
	}
	_, err = ignoringEINTR(func() (int, error) { return 0, syscall.Fsync(sub) })
	return err
}

// open returns the descriptor of slot's directory (name under d.dir),
// opening it, and making it when missing, the first time.
func (d *blobDirFDs) open(slot int, name string) (int, error) {
	if fd := d.fds[slot].Load(); fd != 0 {
		return int(fd - 1), nil
	}
	path := filepath.Join(d.dir, name)
	open := func() (int, error) {
		return ignoringEINTR(func() (int, error) {
			return syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		})
	}
	fd, err := open()
	if errors.Is(err, syscall.ENOENT) {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return -1, err
		}
		fd, err = open()
	}
	if err != nil {
		return -1, err
	}
	if !d.fds[slot].CompareAndSwap(0, int32(fd+1)) { // another writer opened it first
		syscall.Close(fd)
		return int(d.fds[slot].Load() - 1), nil
	}
	return fd, nil
}

// forget drops slot's descriptor; it is closed by close, since another
// write may still be using it.
func (d *blobDirFDs) forget(slot int) {
	if fd := d.fds[slot].Swap(0); fd != 0 {
		d.staleMu.Lock()
		d.stale = append(d.stale, int(fd-1))
		d.staleMu.Unlock()
	}
}

// close closes every descriptor once the writes in progress are done.
func (d *blobDirFDs) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	for i := range d.fds {
		if fd := d.fds[i].Swap(0); fd != 0 {
			errs = append(errs, syscall.Close(int(fd-1)))
		}
	}
	for _, fd := range d.stale {
		errs = append(errs, syscall.Close(fd))
	}
	d.stale = nil
	return errors.Join(errs...)
}
