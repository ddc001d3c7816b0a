package main

import (
	"io"
	"sync"
	"time"
)

// flushEvery is the longest a line waits in a logBuffer: too short for a
// person watching to notice, and long enough for a busy server to write
// a batch of lines at a time rather than one.
const flushEvery = 100 * time.Millisecond

// maxBuffered is how much a logBuffer holds before it writes out at once,
// whatever the time.
const maxBuffered = 64 << 10

// logBuffer holds the lines the server logs and writes them to w in
// batches: every flushEvery, whenever it holds maxBuffered bytes, and on
// Flush, which every way out of the program calls. A write(2) for every
// request's access line costs about as much as serving the request; one
// for a batch costs next to nothing. It is the Go twin of Python
// logging's MemoryHandler, flushed on a timer too.
type logBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// newLogBuffer returns a logBuffer that writes to w, and starts its timer.
func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: w}
	go func() {
		for range time.Tick(flushEvery) {
			b.Flush()
		}
	}()
	return b
}

// Write holds p, whole lines from the logger, until the next flush.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= maxBuffered {
		b.writeOut()
	}
	return len(p), nil
}

// Flush writes out every line held.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writeOut()
}

// writeOut writes the lines held to w, in one write; b.mu must be held.
// A write that fails loses its lines: there is nowhere left to say so.
func (b *logBuffer) writeOut() {
	if len(b.buf) > 0 {
		b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}
