package workflow

import "testing"

// typicalWorkflow is a 30-line workflow of the kind the index sees on
// every push: two triggers, inputs, a matrix, a few steps.
const typicalWorkflow = `name: CI
on:
  push:
    branches: [main, 'releases/**']
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [debug, info]
        default: info
env:
  LOG_LEVEL: ${{ inputs.level }}
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, self-hosted]
        go: ['1.25', '1.26']
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: go test ./...
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploying ${{ github.sha }}"
`

func BenchmarkSummarize(b *testing.B) {
	src := []byte(typicalWorkflow)
	if s := Summarize("ci.yml", src); !s.Valid || len(s.Problems) != 0 {
		b.Fatalf("benchmark workflow has problems: %+v", s.Problems)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Summarize("ci.yml", src)
	}
}

func BenchmarkParse(b *testing.B) {
	src := []byte(typicalWorkflow)
	b.ReportAllocs()
	for b.Loop() {
		Parse("ci.yml", src)
	}
}

func BenchmarkMatchPush(b *testing.B) {
	p := Summarize("ci.yml", []byte(typicalWorkflow)).Triggers.Push
	b.ReportAllocs()
	for b.Loop() {
		MatchPush(p, "refs/heads/releases/v2", nil)
	}
}
