//go:build race

package store

// scaleRows keeps the plan test quick under the race detector (10× slower);
// the plans asserted do not depend on the size.
const scaleRows = 1_000
