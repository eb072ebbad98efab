package quiz

import (
	"unicode"
	"unicode/utf8"
)

// The grader reads English. An answer in another language is not a "list
// of terms" and has not "missed every idea": it needs a person who reads
// it, so it is sent for review with a plain note.

// foreignWords are the commonest small words of the languages a learner of
// this lesson most often writes in instead (Spanish, French, German,
// Portuguese, Italian), leaving out any that are also English words or
// parts of hyphenated English ("die", "per", "non", "as", "do").
var foreignWords = set(`el la los las del que y en un una es por para con se lo al su sus como pero más mas muy cuando donde porque también
tambien esta este está son hay sin sobre entre luego primero después despues entonces cuál cual
le les des du et est une pour dans avec sur pas qui ce cette sont au aux ou où mais puis aussi alors
der das und ist nicht mit für fur auf ein eine zu den dem von sich auch wird werden wenn dann oder aber nach zuerst
os não nao com uma em da das dos ao é ela ele então entao
il di che è gli della delle nel sono anche poi`)

// minForeignWords is how many of those words an answer needs before it is
// read as not English, so one borrowed phrase does not count.
const minForeignWords = 3

// notEnglish reports whether the answer is written in another language:
// mostly non-Latin letters, or more than twice as many foreign small words
// as English ones.
func notEnglish(answer string, sents []sentence) bool {
	letters, latin := 0, 0
	for i := 0; i < len(answer); {
		r, size := utf8.DecodeRuneInString(answer[i:])
		i += size
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Latin, r) {
				latin++
			}
		}
	}
	if letters >= 20 && latin*10 < letters*7 {
		return true
	}
	en, fo := 0, 0
	for _, s := range sents {
		for _, t := range s.tokens {
			switch {
			case functionWords[t.word]:
				en++
			case foreignWords[t.word]:
				fo++
			}
		}
	}
	return fo >= minForeignWords && fo > 2*en
}
