//go:build !race

package flags

const raceEnabled = false
