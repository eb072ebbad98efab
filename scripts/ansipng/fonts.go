package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// faceSet is a chain of fonts tried in order for each grapheme: a
// monospaced font first, then fonts that hold the symbols it lacks (ticks,
// crosses, Braille spinners, CJK), then Go Mono, which is compiled in, so a
// picture can always be made.
type faceSet struct {
	regular, bold []glyphFace
}

type glyphFace struct {
	font *sfnt.Font
	face font.Face
}

// fontCandidates are the files looked for in -font-dir, in order of
// preference; a missing one is skipped.
var fontCandidates = []struct{ regular, bold string }{
	{"DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"},
	{"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"},
}

func loadFaces(dir string, size float64) (*faceSet, error) {
	fs := &faceSet{}
	add := func(dst *[]glyphFace, data []byte, name string) error {
		f, err := opentype.Parse(data)
		if err != nil {
			return fmt.Errorf("font %s: %w", name, err)
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return fmt.Errorf("font %s: %w", name, err)
		}
		*dst = append(*dst, glyphFace{f, face})
		return nil
	}
	for _, c := range fontCandidates {
		r, errR := os.ReadFile(filepath.Join(dir, c.regular))
		b, errB := os.ReadFile(filepath.Join(dir, c.bold))
		if errR != nil || errB != nil {
			continue
		}
		if err := add(&fs.regular, r, c.regular); err != nil {
			return nil, err
		}
		if err := add(&fs.bold, b, c.bold); err != nil {
			return nil, err
		}
	}
	if err := add(&fs.regular, gomono.TTF, "Go Mono"); err != nil {
		return nil, err
	}
	if err := add(&fs.bold, gomonobold.TTF, "Go Mono Bold"); err != nil {
		return nil, err
	}
	return fs, nil
}

// pick returns the first face of the chain that has a glyph for r, or the
// first face (which draws its "missing" box) when none has.
func (fs *faceSet) pick(r rune, bold bool) font.Face {
	chain := fs.regular
	if bold {
		chain = fs.bold
	}
	var buf sfnt.Buffer
	for _, g := range chain {
		if i, err := g.font.GlyphIndex(&buf, r); err == nil && i != 0 {
			return g.face
		}
	}
	return chain[0].face
}
