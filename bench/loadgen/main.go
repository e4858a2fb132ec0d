// Command loadgen sends POST requests to a URL over keep-alive connections
// and prints throughput and latency: the load generator of the benchmarks,
// runnable by hand against a server being profiled.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dispatchd/dispatchd/bench"
)

func main() {
	url := flag.String("url", "", "URL to POST to")
	token := flag.String("token", os.Getenv("DISPATCHD_TOKEN"), "bearer token")
	body := flag.String("body", `{"event_type":"bench"}`, "request body")
	n := flag.Int("n", 10000, "requests")
	conns := flag.Int("c", 64, "connections")
	method := flag.String("method", "POST", "HTTP method")
	flag.Parse()
	r := bench.LoadMethod(*method, *url, *token, []byte(*body), *n, *conns)
	fmt.Printf("%d requests, %d errors, %.0f req/s, p50 %v, p99 %v\n", r.Requests, r.Errors, r.PerSecond(), r.P50, r.P99)
}
