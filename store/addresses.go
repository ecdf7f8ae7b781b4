package store

import (
	"context"
	"fmt"
)

// KnownAddress is an address seen in the store with how often it was.
type KnownAddress struct {
	Address
	Count int
}

// Addresses returns the addresses of senders and recipients the store
// holds, most used first (ties by address), at most limit (≤ 0: 500), for
// completing recipients in the composer, with a name seen for the address
// (any non-empty one). One scan of the messages table: call it once per
// composer, not per keystroke.
func (s *Store) Addresses(ctx context.Context, limit int) ([]KnownAddress, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := s.r.QueryContext(ctx, `WITH a(name, addr) AS (
			SELECT from_name, from_addr FROM messages
			UNION ALL SELECT json_extract(j.value, '$.n'), json_extract(j.value, '$.a')
				FROM messages, json_each(messages.to_list) AS j WHERE messages.to_list != ''
			UNION ALL SELECT json_extract(j.value, '$.n'), json_extract(j.value, '$.a')
				FROM messages, json_each(messages.cc_list) AS j WHERE messages.cc_list != '')
		SELECT max(coalesce(name, '')), lower(addr) AS k, count(*) AS n
		FROM a WHERE addr IS NOT NULL AND addr LIKE '%@%'
		GROUP BY k ORDER BY n DESC, k LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: addresses: %w", err)
	}
	defer rows.Close()
	var out []KnownAddress
	for rows.Next() {
		var k KnownAddress
		if err := rows.Scan(&k.Name, &k.Addr, &k.Count); err != nil {
			return nil, fmt.Errorf("store: addresses: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
