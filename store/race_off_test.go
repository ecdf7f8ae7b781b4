//go:build !race

package store

// scaleRows is the folder size of the query-plan test.
const scaleRows = 20_000
