package query

import (
	"encoding/json"
	"errors"
	"testing"
)

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
