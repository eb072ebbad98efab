package quiz

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// The grader reads English. An answer in another language is not a "list
// of terms" and has not "missed every idea": it needs a person who reads
// it, so it is sent for review with a plain note.

// languageWords are the commonest small words of the languages a learner
// of this lesson may write in instead of English. A word that is also an
// English function word ("a", "in", "is", "die" is not one) is kept in the
// list but counts for neither side: only the words that tell the two
// languages apart decide. Technical terms (ZADD, pool, timeout) are the
// same in every language and are not in any list.
var languageWords = map[string]map[string]bool{
	"es": set(`el la los las del que y en un una es por para con se lo al su sus como pero más mas muy cuando donde porque también
tambien esta este está son hay sin sobre entre luego primero después despues entonces cuál cual de le les ya sí ni nos hasta desde
cada otro otra todo todos eso esto así asi fue ser están estan puede pueden hace tiene tienen`),
	"pt": set(`o os a as um uma uns umas de do da dos das no na nos nas em ao aos à e é que se não nao com para por pelo pela mas ou
como mais muito quando onde porque também tambem já ja só ainda isso esse essa este esta está estão estao ele ela eles elas
então entao depois antes sem até ate foi ser tem são sao vai fica nem cada`),
	"fr": set(`le la les un une des du de et est en pour dans avec sur pas qui que ce cette sont au aux ou où mais puis aussi alors
il elle ils on se sa son ses leur très tres plus même donc car quand comme sans entre après avant déjà encore être été fait peut`),
	"de": set(`der die das und ist nicht mit für fur auf ein eine einen einem zu den dem des von sich auch wird werden wenn dann oder
aber nach zuerst im ins bei aus wie noch nur schon sehr sind wir ich es sie er kann muss man dass weil doch kein keine zum zur
über uber`),
	"it": set(`il lo la i gli le un una uno di da in con su per tra fra e è che non come ma anche poi della delle degli dei del nel
nella nei al alla ai sono se si quando dove perché perche già gia solo ancora più piu molto questo questa quello quella viene
essere stato fa`),
	"nl": set(`de het een en van is dat die niet op te zijn er met voor als aan dan bij naar ook om maar wordt worden kan nog door uit
zo of wat wel geen tot dus deze dit hun je ze we wij hij zij mijn over na al toch omdat wanneer waar hoe moet`),
	"sv": set(`och att det som en ett är inte på med för av till den har de om så men kan vid eller sig när från också utan efter
bara mycket`),
	"pl": set(`i w na z że się nie do to jest jak po od za ale czy tak jego jej są przez przy dla już tylko lub oraz gdy jeśli
który która które`),
	"ro": set(`și si în este că ca nu cu pe la un o care pentru dar mai sau dacă daca după dupa când cand`),
	"tr": set(`ve bir bu da de için ile ama çok daha gibi olarak olan sonra önce eğer ise değil her şey veya`),
	"id": set(`dan yang di ke dari ini itu dengan untuk tidak akan pada adalah juga sudah atau karena jika kita saya mereka bisa
harus`),
}

// languageOrder fixes the order languages are tried in, so the verdict
// never depends on map iteration.
var languageOrder = []string{"es", "pt", "fr", "de", "it", "nl", "sv", "pl", "ro", "tr", "id"}

// minForeignWords is how many of a language's telling words an answer
// needs before it is read as not English, so one borrowed phrase does not
// count.
const minForeignWords = 3

// notEnglish reports whether the answer is written in another language:
// mostly non-Latin letters, or, for some language, at least
// minForeignWords of its telling small words and more than twice as many
// as English's.
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
	for _, lang := range languageOrder {
		words := languageWords[lang]
		en, fo := 0, 0
		for _, s := range sents {
			for _, t := range s.tokens {
				switch e, f := functionWords[t.word], words[t.word]; {
				case e && !f:
					en++
				case f && !e:
					fo++
				}
			}
		}
		if fo >= minForeignWords && fo > 2*en {
			return true
		}
	}
	return otherLanguage(answer, sents)
}

// otherLanguage catches the languages languageWords does not list (Finnish,
// Hungarian, Vietnamese, Czech...) with a trigram language detector, which
// knows 84. It is trusted only for prose: at least 25 words, under a
// quarter of them English function words (English prose has 35-50%;
// Hungarian's article "a" alone makes up a tenth of its words), not
// mostly comma-separated, and a detection the
// detector itself calls reliable and near-certain. A keyword list of
// English terms can look French to trigrams ("segregation, consistency");
// those are short, comma-heavy or unreliable, and stay lists.
func otherLanguage(answer string, sents []sentence) bool {
	words, fn := 0, 0
	for _, s := range sents {
		for _, t := range s.tokens {
			words++
			if functionWords[t.word] {
				fn++
			}
		}
	}
	if words < 25 || fn*100 >= words*25 || strings.Count(answer, ",")*4 >= words {
		return false
	}
	info := whatlanggo.Detect(answer)
	return info.Lang != whatlanggo.Eng && info.IsReliable() && info.Confidence >= 0.9
}
