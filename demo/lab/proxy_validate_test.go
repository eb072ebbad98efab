package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

func refusal(t *testing.T, err error) *apiRefusal {
	t.Helper()
	var ar *apiRefusal
	if err != nil && !errors.As(err, &ar) {
		t.Fatalf("error is not an API refusal: %v", err)
	}
	return ar
}

func TestValidateToxiproxyRequests(t *testing.T) {
	toxic := func(kind, attrs string) []byte {
		return []byte(fmt.Sprintf(`{"type":%q,"stream":"downstream","toxicity":1,"attributes":%s}`, kind, attrs))
	}
	refused := map[string][]byte{
		"slicer average_size 0 (stack overflow)": toxic("slicer", `{"average_size":0}`),
		"slicer without attributes":              toxic("slicer", `{}`),
		"slicer variation ≥ average":             toxic("slicer", `{"average_size":1,"size_variation":5}`),
		"slicer negative variation":              toxic("slicer", `{"average_size":4,"size_variation":-1}`),
		"slicer by upper-case keys":              toxic("slicer", `{"AVERAGE_SIZE":0}`),
		"slicer with trailing bytes":             []byte(`{"type":"slicer","attributes":{"average_size":0}} x`),
		"latency jitter overflow":                toxic("latency", `{"latency":1,"jitter":9223372036854775807}`),
		"bandwidth negative":                     toxic("bandwidth", `{"rate":-1}`),
		"bandwidth 0 hangs":                      toxic("bandwidth", `{"rate":0}`),
		"bandwidth overflow":                     toxic("bandwidth", `{"rate":92233720368547759}`),
		"timeout negative":                       toxic("timeout", `{"timeout":-5}`),
		"limit_data negative":                    toxic("limit_data", `{"bytes":-1}`),
	}
	for name, body := range refused {
		if ar := refusal(t, ValidateToxicCreate(body)); ar == nil || ar.status != http.StatusBadRequest ||
			!strings.Contains(ar.msg, "refused by cqrslab") {
			t.Errorf("%s: %s accepted (%v)", name, body, ar)
		}
	}
	accepted := [][]byte{
		toxic("slicer", `{"average_size":64,"size_variation":32,"delay":10}`),
		toxic("latency", `{"latency":100,"jitter":10}`),
		toxic("bandwidth", `{"rate":64}`),
		toxic("timeout", `{"timeout":0}`),
		toxic("reset_peer", `{"timeout":10}`),
		toxic("limit_data", `{"bytes":0}`),
		toxic("slow_close", `{"delay":1000}`),
		[]byte(`not json`),                // Toxiproxy says "bad request body" itself
		toxic("no_such_toxic", `{"x":1}`), // and "invalid toxic type"
	}
	for _, body := range accepted {
		if err := ValidateToxicCreate(body); err != nil {
			t.Errorf("%s refused: %v", body, err)
		}
	}
	for _, body := range []string{`{"name":"x","listen":"0.0.0.0:18475","upstream":"127.0.0.1:1"}`,
		`{"name":"x","upstream":"127.0.0.1:1"}`, `{"name":"x","LISTEN":"[::]:1","upstream":"127.0.0.1:1"}`,
		`{"name":"x","listen":":18475","upstream":"127.0.0.1:1"}`} {
		if ar := refusal(t, ValidateProxyCreate([]byte(body))); ar == nil || !strings.Contains(ar.msg, "listen") && !strings.Contains(ar.msg, "loopback") {
			t.Errorf("proxy %s accepted (%v)", body, ar)
		}
	}
	if err := ValidateProxyCreate([]byte(`{"name":"x","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}`)); err != nil {
		t.Errorf("loopback proxy refused: %v", err)
	}
	if ar := refusal(t, ValidatePopulate([]byte(`[{"name":"a","listen":"127.0.0.1:0","upstream":"x:1"},{"name":"b","listen":"0.0.0.0:1","upstream":"x:1"}]`))); ar == nil {
		t.Error("populate with a proxy on every interface accepted")
	}
	if ar := refusal(t, validateProxyUpdate("x", []byte(`{"listen":"0.0.0.0:1"}`))); ar == nil {
		t.Error("proxy update to every interface accepted")
	}
	if err := validateProxyUpdate("x", []byte(`{"enabled":false}`)); err != nil {
		t.Errorf("proxy update without listen refused: %v", err)
	}
	// An update is judged on the toxic it would leave: the existing
	// attributes with the new ones over them.
	existing := &toxics.ToxicWrapper{Type: "slicer", Toxic: &toxics.SlicerToxic{AverageSize: 64, SizeVariation: 10}}
	if ar := refusal(t, validateToxicUpdate(existing, []byte(`{"attributes":{"average_size":5}}`))); ar == nil {
		t.Error("update leaving size_variation 10 ≥ average_size 5 accepted")
	}
	if err := validateToxicUpdate(existing, []byte(`{"attributes":{"average_size":50}}`)); err != nil {
		t.Errorf("sound update refused: %v", err)
	}
	if existing.Toxic.(*toxics.SlicerToxic).AverageSize != 64 {
		t.Error("validation changed the live toxic")
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:8474": true, "localhost:8474": true, "LOCALHOST": true, "[::1]:8474": true, "127.1.2.3": true,
		"localhost.:1": true, "evil.example:8474": false, "rebind.127.0.0.1.nip.io:8474": false, "": false,
		"0.0.0.0:8474": false, "192.168.1.2:8474": false, "localhost.evil.example": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestToxiproxyAPIRefusesCrashingToxics: through the API `lab up
// --toxiproxy-api` serves, a slicer with average_size 0 and one PING used
// to kill the lab (fatal: stack overflow, containers leaked), and a proxy
// could be opened on every interface. Both are refused upstream-style, a
// foreign Host header is refused, and the lab keeps working.
func TestToxiproxyAPIRefusesCrashingToxics(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), func(o *Options) { o.ToxiproxyAPI = "127.0.0.1:0" })
	info := l.CurrentInfo()
	api := "http://" + info.ToxiproxyAPI
	post := func(path, host, body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, api+path, strings.NewReader(body))
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := post("/proxies/redis/toxics", "", `{"type":"slicer","attributes":{"average_size":0}}`)
	if code != 400 || out["status"] != float64(400) || !strings.Contains(fmt.Sprint(out["error"]), "average_size") {
		t.Fatalf("slicer average_size 0: %d %v", code, out)
	}
	rdb := quickClient(t, info.Redis.Addr, info.Redis.Password, 2*time.Second)
	if _, err := timedPing(rdb); err != nil {
		t.Fatalf("PING after the refused slicer: %v", err)
	}
	code, out = post("/proxies", "", `{"name":"open","listen":"0.0.0.0:0","upstream":"`+info.Redis.Addr+`"}`)
	if code != 400 || out["status"] != float64(400) {
		t.Fatalf("proxy on every interface: %d %v", code, out)
	}
	if _, err := http.Get(api + "/proxies/open"); err == nil {
		if code, _ := post("/proxies/open", "", `{}`); code != 404 {
			t.Errorf("the refused proxy exists (%d)", code)
		}
	}
	code, out = post("/proxies/redis/toxics", "rebind.example:8474", `{"type":"latency","attributes":{"latency":1}}`)
	if code != 403 || out["status"] != float64(403) || !strings.Contains(fmt.Sprint(out["error"]), "rebind.example") {
		t.Fatalf("foreign Host: %d %v", code, out)
	}
	if len(l.ActiveFaults()) != 0 {
		t.Fatalf("a refused request left faults: %v", l.ActiveFaults())
	}
	// A sound slicer still goes through, and Redis answers through it.
	if code, out := post("/proxies/redis/toxics", "localhost", `{"type":"slicer","attributes":{"average_size":8,"size_variation":2}}`); code != 200 {
		t.Fatalf("sound slicer: %d %v", code, out)
	}
	if _, err := timedPing(rdb); err != nil {
		t.Fatalf("PING through a sound slicer: %v", err)
	}
	// The control API checks the Host header too.
	req, _ := http.NewRequest(http.MethodGet, "http://"+info.ControlAddr+"/faults", nil)
	req.Host = "rebind.example"
	req.Header.Set("Authorization", "Bearer "+info.ControlToken)
	if info.ControlAddr != "" {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("control API with a foreign Host: %d", resp.StatusCode)
		}
	}
}

// FuzzToxiproxyAPIValidation feeds the validation arbitrary toxic and
// proxy bodies. It may not panic, and what it accepts must be safe: a
// slicer it lets through must slice real data without crashing or
// losing a byte, and the other toxics' attributes must stay inside the
// bounds their code can take; a proxy it lets through listens on loopback.
func FuzzToxiproxyAPIValidation(f *testing.F) {
	for _, s := range []string{
		`{"type":"slicer","attributes":{"average_size":0}}`,
		`{"type":"slicer","attributes":{"average_size":3,"size_variation":2,"delay":0}}`,
		`{"type":"slicer","attributes":{"average_size":1,"size_variation":0}}`,
		`{"type":"latency","attributes":{"latency":100,"jitter":4611686018427387904}}`,
		`{"type":"bandwidth","attributes":{"rate":92233720368547759}}`,
		`{"type":"limit_data","attributes":{"bytes":-1}}`,
		`{"type":"timeout","attributes":{"timeout":-1}}`,
		`{"name":"x","listen":"0.0.0.0:1","upstream":"127.0.0.1:1"}`,
		`[{"name":"x","listen":"[::1]:0","upstream":"127.0.0.1:1"}]`,
		`{"type":"slicer","type":"latency","attributes":{"average_size":0}}`,
		`{"type":"slicer","attributes":{"average_size":0}} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := ValidateToxicCreate(body); err == nil {
			checkAcceptedToxic(t, body)
		} else if refusal(t, err) == nil {
			t.Fatalf("refusal without a status: %v", err)
		}
		var p struct{ Listen string }
		if ValidateProxyCreate(body) == nil && decodeLikeToxiproxy(body, &p) == nil {
			host, _, err := net.SplitHostPort(p.Listen)
			if err != nil || !loopbackHost(host) {
				t.Fatalf("accepted a proxy listening on %q", p.Listen)
			}
		}
		_ = ValidatePopulate(body)
		_ = validateProxyUpdate("x", body)
		_ = validateToxicUpdate(&toxics.ToxicWrapper{Type: "slicer", Toxic: &toxics.SlicerToxic{AverageSize: 4}}, body)
	})
}

func checkAcceptedToxic(t *testing.T, body []byte) {
	var head struct{ Type string }
	if decodeLikeToxiproxy(body, &head) != nil {
		return
	}
	tx := toxics.New(&toxics.ToxicWrapper{Type: head.Type})
	if tx == nil || toxicAttributes(body, tx) != nil {
		return
	}
	switch tx := tx.(type) {
	case *toxics.SlicerToxic:
		tx.Delay = 0
		in := make(chan *stream.StreamChunk)
		out := make(chan *stream.StreamChunk, 1<<14)
		go tx.Pipe(toxics.NewToxicStub(in, out))
		sent := 0
		for _, n := range []int{1, 2, 7, 100, 4096} {
			in <- &stream.StreamChunk{Data: bytes.Repeat([]byte{'x'}, n)}
			sent += n
		}
		close(in)
		got := 0
		for c := range out {
			got += len(c.Data)
		}
		if got != sent {
			t.Fatalf("accepted slicer %+v passed %d of %d bytes", *tx, got, sent)
		}
	case *toxics.LatencyToxic:
		if tx.Jitter < 0 || tx.Jitter > 1<<61 || tx.Latency < 0 {
			t.Fatalf("accepted latency %+v", *tx)
		}
	case *toxics.BandwidthToxic:
		if tx.Rate < 1 || tx.Rate*100 <= 0 {
			t.Fatalf("accepted bandwidth %+v", *tx)
		}
	}
}
