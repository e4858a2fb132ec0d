package workflow

import (
	"sort"
	"unicode/utf8"
)

// lineIndex converts between byte offsets in a source and the 1-based
// line and column (in characters, as the YAML library counts them) of a
// position. Both directions are O(1) or O(log n) after one pass over the
// source, so that reporting many positions on one long line (a minified
// workflow is one line) stays linear.
type lineIndex struct {
	src    []byte
	starts []int         // byte offset of each line
	ascii  []bool        // whether each line is pure ASCII: column = byte + 1
	runes  map[int][]int // byte offset of each character, for other lines, built on demand
}

func newLineIndex(src []byte) *lineIndex {
	x := &lineIndex{src: src, starts: []int{0}, runes: map[int][]int{}}
	ascii := true
	for i, b := range src {
		if b >= utf8.RuneSelf {
			ascii = false
		}
		if b == '\n' {
			x.ascii = append(x.ascii, ascii)
			x.starts = append(x.starts, i+1)
			ascii = true
		}
	}
	x.ascii = append(x.ascii, ascii)
	return x
}

func (x *lineIndex) end(line int) int {
	if line < len(x.starts) {
		return x.starts[line] - 1 // the newline
	}
	return len(x.src)
}

// charOffsets returns the byte offset of every character of a non-ASCII line.
func (x *lineIndex) charOffsets(line int) []int {
	if offs, ok := x.runes[line]; ok {
		return offs
	}
	var offs []int
	for i, end := x.starts[line-1], x.end(line); i < end; {
		offs = append(offs, i)
		_, size := utf8.DecodeRune(x.src[i:end])
		i += size
	}
	x.runes[line] = offs
	return offs
}

// offset returns the byte offset of a position, false when it is outside
// the source.
func (x *lineIndex) offset(p Pos) (int, bool) {
	if p.Line < 1 || p.Line > len(x.starts) || p.Column < 1 {
		return 0, false
	}
	start, end := x.starts[p.Line-1], x.end(p.Line)
	if x.ascii[p.Line-1] {
		if off := start + p.Column - 1; off <= end {
			return off, true
		}
		return 0, false
	}
	offs := x.charOffsets(p.Line)
	switch {
	case p.Column-1 < len(offs):
		return offs[p.Column-1], true
	case p.Column-1 == len(offs):
		return end, true
	}
	return 0, false
}

// pos returns the position of a byte offset.
func (x *lineIndex) pos(off int) Pos {
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) // 1-based
	start := x.starts[line-1]
	if x.ascii[line-1] {
		return Pos{Line: line, Column: off - start + 1}
	}
	offs := x.charOffsets(line)
	col := sort.Search(len(offs), func(i int) bool { return offs[i] >= off })
	return Pos{Line: line, Column: col + 1}
}
