package store

import "context"

// NeedBodiesIn returns the messages of a folder with UIDs lo to hi that
// lack their body, highest UID first: the bodies of a batch of headers
// just stored, which the sync fetches while the next batches' headers
// come in (a folder's header batches are disjoint UID ranges, newest
// first). The range should be a batch's (a few hundred UIDs): the result
// is not paged. Each row is found through the (folder_id, uid) key.
func (s *Store) NeedBodiesIn(ctx context.Context, folder FolderID, lo, hi UID) ([]NeedBody, error) {
	return s.needBodies(ctx, `SELECT id, uid, size, sort_date FROM messages
		WHERE folder_id = ? AND uid BETWEEN ? AND ? AND blob_hash IS NULL ORDER BY uid DESC`, folder, lo, hi)
}
