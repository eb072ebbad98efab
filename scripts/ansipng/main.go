// Command ansipng turns a terminal screen captured with colours
// (`tmux capture-pane -e -p`) into a PNG, so that the README's screenshots
// are made from real runs by scripts/screenshots.sh and can be made again,
// rather than edited by hand. It draws only what a terminal would show:
// text, colours, bold, faint, underline and reverse; other escape sequences
// in the capture are dropped.
//
//	tmux capture-pane -e -p -t lab > lab.ans
//	go run ./scripts/ansipng -cols 100 -rows 30 < lab.ans > lab.png
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
)

func main() {
	cols := flag.Int("cols", 100, "screen width in columns (the tmux window's)")
	rows := flag.Int("rows", 30, "screen height in rows")
	size := flag.Float64("size", 15, "font size in pixels")
	fontDir := flag.String("font-dir", "/usr/share/fonts/truetype/dejavu",
		"folder with DejaVu Sans Mono and DejaVu Sans (Go Mono, built in, is used for what they lack or when absent)")
	flag.Parse()
	if *cols < 1 || *rows < 1 || *cols > 1000 || *rows > 1000 || *size < 4 || *size > 100 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: ansipng [-cols N] [-rows N] [-size PX] [-font-dir DIR] < capture.ans > screen.png")
		os.Exit(2)
	}
	data, err := io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
	if err != nil {
		fail(err)
	}
	faces, err := loadFaces(*fontDir, *size)
	if err != nil {
		fail(err)
	}
	c := newCanvas(*cols, *rows, faces)
	c.paint(parseScreen(data, *cols, *rows))
	w := bufio.NewWriter(os.Stdout)
	if err := png.Encode(w, c.img); err != nil {
		fail(err)
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ansipng:", err)
	os.Exit(1)
}
