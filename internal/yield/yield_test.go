package yield

import (
	"context"
	"testing"
	"time"
)

func TestWaitReturnsAtOnceWhenQuiet(t *testing.T) {
	g := New(0)
	if !g.Wait(context.Background(), time.Hour) {
		t.Fatal("Wait with nothing in flight did not report quiet")
	}
	var nilGauge *Gauge
	nilGauge.Enter()
	nilGauge.Leave()
	if !nilGauge.Wait(context.Background(), time.Hour) {
		t.Fatal("a nil gauge must count nothing and never wait")
	}
}

func TestWaitEndsWhenWorkLeaves(t *testing.T) {
	g := New(0)
	g.Enter()
	g.Enter()
	done := make(chan bool)
	go func() { done <- g.Wait(context.Background(), time.Hour) }()
	g.Leave()
	select {
	case <-done:
		t.Fatal("Wait returned with work still in flight")
	case <-time.After(20 * time.Millisecond):
	}
	g.Leave()
	if !<-done {
		t.Fatal("Wait did not report the quiet moment")
	}
}

// Work that just left is not quiet yet: the gauge waits for its quiet
// time after the last Enter (here an hour, so only most ends the wait).
func TestWaitWantsQuietTime(t *testing.T) {
	g := New(time.Hour)
	g.Enter()
	g.Leave()
	if g.Wait(context.Background(), 30*time.Millisecond) {
		t.Fatal("Wait reported quiet right after work left")
	}
	g2 := New(5 * time.Millisecond)
	g2.Enter()
	g2.Leave()
	if !g2.Wait(context.Background(), time.Hour) {
		t.Fatal("Wait did not report quiet once the quiet time had passed")
	}
}

func TestStaleTokenDoesNotEndWait(t *testing.T) {
	g := New(0)
	g.Enter()
	g.Leave() // leaves a token behind
	g.Enter()
	if g.Wait(context.Background(), 30*time.Millisecond) {
		t.Fatal("an idle token from before the work entered ended the wait")
	}
	if n := g.n.Load(); n != 1 {
		t.Fatalf("in flight %d, want 1", n)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	g := New(0)
	g.Enter()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if g.Wait(ctx, time.Hour) {
		t.Fatal("a cancelled wait reported quiet")
	}
}
