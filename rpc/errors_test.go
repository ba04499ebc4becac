package rpc

import (
	"testing"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
)

// TestCodesRoundTrip checks that a client maps every transport code the
// server sends back to the mizan code it came from, and codes no mizan
// error has to EINTERNAL.
func TestCodesRoundTrip(t *testing.T) {
	for _, code := range []string{mizan.EINVALID, mizan.ENOTFOUND, mizan.ECONFLICT, mizan.EEXHAUSTED, mizan.EUNAUTHORIZED, mizan.EFORBIDDEN, mizan.EUNAVAILABLE} {
		c, ok := codeOf(code)
		if !ok {
			t.Errorf("%s has no transport code", code)
			continue
		}
		if got := MizanCode(c); got != code {
			t.Errorf("MizanCode(%s) = %s, want %s", c, got, code)
		}
	}
	if _, ok := codeOf(mizan.EINTERNAL); ok {
		t.Errorf("internal errors must not reach clients with their own code")
	}
	for _, c := range []connect.Code{connect.CodeInternal, connect.CodeUnknown, connect.CodeDataLoss, connect.CodeDeadlineExceeded} {
		if got := MizanCode(c); got != mizan.EINTERNAL {
			t.Errorf("MizanCode(%s) = %s, want %s", c, got, mizan.EINTERNAL)
		}
	}
}
