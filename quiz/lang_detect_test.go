package quiz

import (
	"slices"
	"testing"
)

// TestUnlistedLanguagesGoToAnInstructor covers languages languageWords
// does not list: the trigram detector sends them to review. The answers
// are our own.
func TestUnlistedLanguagesGoToAnInstructor(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ lang, id, answer string }{
		{"fi", "explain-sync-cqrs", "Yhden tietokannan sovelluksessa kirjoitetaan ja luetaan samoista tauluista. Tässä mallissa jokainen julkaisu tallennetaan ensin PostgreSQL-tietokantaan, joka on totuuden lähde, ja heti saman pyynnön aikana se lisätään myös Redisin järjestettyyn joukkoon kirjoittajan syötteeseen. Syötteen lukeminen tapahtuu vain Redisistä, joten se on nopeaa eikä tarvitse liitoksia. Jos Redis ei vastaa, syöte jää vanhaksi, kunnes se rakennetaan uudelleen PostgreSQL-tietokannasta."},
		{"hu", "createpost-walkthrough", "Először a CreatePost beszúrja a bejegyzést a PostgreSQL adatbázisba, és ez azonnal véglegesítődik. Ha ez nem sikerül, a hívó hibát kap, és a Redis érintetlen marad. Utána jön a ZADD a szerző hírfolyamába. Ha a ZADD hibát ad, a kód csak figyelmeztetést ír a naplóba, és sikert jelez, tehát a hírfolyam lemarad, amíg egy javító folyamat újra fel nem építi a PostgreSQL adataiból. Az olvasás közben csak a Redis tartalmát látja."},
		{"vi", "redis-spike-500wps", "Khi Redis chậm thêm 50 ms, mỗi yêu cầu ghi phải chờ lâu hơn, nên với 500 lượt ghi mỗi giây sẽ có khoảng 25 lệnh ZADD đang chờ cùng lúc. Nếu số kết nối trong pool ít hơn thế, các yêu cầu sẽ xếp hàng và bị quá thời gian. Tôi sẽ đặt thời hạn ngắn cho lệnh ZADD, dùng bộ ngắt mạch, đánh dấu tác giả cần sửa và để bộ đối chiếu dựng lại feed từ PostgreSQL. Không bao giờ hoàn tác dữ liệu trong PostgreSQL."},
	} {
		res := grade(t, b, tc.id, tc.answer)
		if !res.NeedsReview || res.Passed || !slices.Contains(res.Notes, noteNotEnglish) {
			t.Errorf("%s: needs_review %v, passed %v, notes %v", tc.lang, res.NeedsReview, res.Passed, res.Notes)
		}
	}
	// English keyword lists whose trigrams look French stay lists.
	for _, list := range []string{
		"CQRS, command query responsibility segregation, consistency, latency, scalability, projection, materialisation, reconciliation, synchronisation, PostgreSQL, Redis, sorted set, ZADD, ZREVRANGE, source of truth, read model, write model.",
	} {
		res := grade(t, b, "explain-sync-cqrs", list)
		if res.Passed || slices.Contains(res.Notes, noteNotEnglish) {
			t.Errorf("keyword list: passed %v, notes %v", res.Passed, res.Notes)
		}
	}
}
