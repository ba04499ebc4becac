package query

import (
	"context"
	"fmt"
	"time"

	"github.com/mizan-budget/mizan"
)

// limiter admits at most n queries at once; the others wait up to wait.
type limiter struct {
	slots chan struct{}
	wait  time.Duration
}

func newLimiter(n int, wait time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, or fails with EEXHAUSTED after the queue wait, or
// with the context's error.
func (l *limiter) acquire(ctx context.Context) (func(), error) {
	release := func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, mizan.Errorf(mizan.EEXHAUSTED, "server busy, try again shortly")
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a query slot: %w", ctx.Err())
	}
}
