package assets_test

import (
	"io/fs"
	"testing"

	"cqrslab/assets"
	"cqrslab/quiz"
)

// TestQuizBankIsValid fails the build's tests when a quiz file is broken:
// the bank is parsed and every rubric compiled, exactly as the app does.
func TestQuizBankIsValid(t *testing.T) {
	if _, err := fs.Stat(assets.FS, "quiz/bank.json"); err != nil {
		t.Fatalf("quiz/bank.json is not embedded: %v", err)
	}
	b, err := quiz.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Questions()) == 0 {
		t.Fatal("the bank has no questions")
	}
}
