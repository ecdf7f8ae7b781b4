package store

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// BenchmarkWriteBlobFile writes distinct 8 KB blobs as the sync's
// encoders do (TMPDIR on tmpfs shows the syscalls' CPU, not a disk's).
func BenchmarkWriteBlobFile(b *testing.B) {
	dir := b.TempDir()
	data := make([]byte, 8<<10)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		binary.LittleEndian.PutUint64(data, uint64(i))
		if err := writeBlobFile(dir, sha256.Sum256(data), data); err != nil {
			b.Fatal(err)
		}
	}
}
