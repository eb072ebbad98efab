package experiment

import (
	"context"
	"fmt"
	"sync"

	"cqrslab/demo"
)

// warm opens connections and runs a few writes before the measured load, so
// the first second measures the system rather than connection set-up:
// PostgreSQL's SCRAM handshake costs milliseconds of CPU per connection,
// and a pool ramping up under 500 writes/s stalls for a second or more,
// which would open the budgeted policy's breaker before any fault.
func warm(ctx context.Context, st *demo.Stores, svc *demo.PostService) error {
	const conns, writes, workers = 16, 200, 8
	var wg sync.WaitGroup
	ready := make(chan struct{})
	errs := make(chan error, conns)
	for range conns {
		wg.Go(func() {
			c, err := st.PG.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			<-ready // hold every connection at once, so the pool keeps them all
		})
	}
	close(ready)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("warm up PostgreSQL: %w", err)
	}
	next := make(chan int)
	var first error
	var mu sync.Mutex
	for range workers {
		wg.Go(func() {
			for i := range next {
				_, err := svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("warm-%d", i), AuthorID: "alice", Title: "warm-up"})
				if err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range writes {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
