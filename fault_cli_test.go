package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"cqrslab/demo/lab"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
)

func TestFaultUsageErrorsExitTwo(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	wantUsageErrors(t, []usageCase{
		{[]string{"fault"}, "fault inject SPEC"},
		{[]string{"fault", "break"}, `unknown subcommand "break"`},
		{[]string{"fault", "inject"}, "say which"},
		{[]string{"fault", "inject", "partition"}, `unknown kind "partition"`},
		{[]string{"fault", "inject", "latency=fast"}, `"fast" is not a duration`},
		{[]string{"fault", "inject", "latency=5ms", "pause"}, "one fault at a time"},
		{[]string{"fault", "heal", "nope"}, `unknown kind "nope"`},
		{[]string{"fault", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"lab", "up", "--toxiproxy-api", "0.0.0.0:8474"}, "only a loopback address"},
		{[]string{"lab", "up", "--toxiproxy-api", "8474"}, `bad address "8474"`},
		{[]string{"lab", "up", "--schedule", "pause@soon"}, `start "soon"`},
	})
	// A fault with no lab running says how to start one.
	_, stderr, code := cqrslab(t, env, "fault", "inject", "latency=50ms")
	if code != 1 || !strings.Contains(stderr, "cqrslab lab up") {
		t.Errorf("no lab: exit %d, %q", code, stderr)
	}
	if out, _, code := cqrslab(t, env, "fault", "--help"); code != 0 || !strings.Contains(out, "restart_data_loss") {
		t.Errorf("fault --help: exit %d, %q", code, out)
	}
}

// TestLabUpFaultControls runs `lab up --toxiproxy-api` as a user would and
// drives it from other processes: Toxiproxy's Go client adds a latency
// toxic that `cqrslab bench` then measures, and `cqrslab fault` injects,
// lists and heals.
func TestLabUpFaultControls(t *testing.T) {
	t.Parallel() // its own state dir and lab (lab up in a child); it waits on the lab, mostly
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	up := startLabUp(t, env, labUpArgs(t, "--toxiproxy-api", "127.0.0.1:0"))
	apiAddr := up.WaitFor(regexp.MustCompile(`Toxiproxy API: http://(\S+)`), 10*time.Second)

	// Toxiproxy's own client sees the lab's proxies and adds a toxic.
	client := toxiclient.NewClient(apiAddr)
	rp, err := client.Proxy("redis")
	if err != nil {
		t.Fatalf("toxiproxy client: %v", err)
	}
	// 40 ms: plain to see beside sub-millisecond round trips, and every
	// measured Redis operation of the bench pays it (100 ms took 80-100 s).
	if _, err := rp.AddToxic("", "latency", "downstream", 1.0, toxiclient.Attributes{"latency": 40}); err != nil {
		t.Fatal(err)
	}
	// cqrslab's own measurement, in another process, shows it.
	out, errOut, code := cqrslab(t, env, "bench", "--iterations", "10", "--warmup", "0", "--json")
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, errOut)
	}
	var rep struct {
		Floor struct {
			InsertP50 float64 `json:"insert_p50_us"`
			ZAddP50   float64 `json:"zadd_p50_us"`
		} `json:"floor"`
		Engine struct {
			CreatePostP50 float64 `json:"createpost_p50_us"`
		} `json:"engine"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench output %q: %v", out, err)
	}
	t.Logf("with toxiproxy-client latency=40 on redis: ZADD p50 %.0f µs, INSERT p50 %.0f µs, CreatePost p50 %.0f µs",
		rep.Floor.ZAddP50, rep.Floor.InsertP50, rep.Engine.CreatePostP50)
	if rep.Floor.ZAddP50 < 40_000 || rep.Engine.CreatePostP50 < 40_000 {
		t.Fatalf("bench does not show the 40ms toxic: %+v", rep)
	}
	if rep.Floor.InsertP50 >= 40_000 {
		t.Fatalf("PostgreSQL slowed down by a Redis toxic: %+v", rep)
	}

	// `cqrslab fault list` shows the toxic the API added; heal removes it.
	out, errOut, code = cqrslab(t, env, "fault", "list", "--json")
	var st lab.ControlStatus
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("fault list: exit %d, %q %q", code, out, errOut)
	}
	if len(st.Active) != 1 || st.Active[0].Kind != lab.FaultLatency || st.Active[0].Toxic != "latency_downstream" || st.RunID != up.RunID {
		t.Fatalf("fault list: %+v", st)
	}
	if _, errOut, code = cqrslab(t, env, "fault", "heal", "latency"); code != 0 {
		t.Fatalf("fault heal: exit %d: %s", code, errOut)
	}
	if ts, err := rp.Toxics(); err != nil || len(ts) != 0 {
		t.Fatalf("toxics after `fault heal latency`: %+v, %v", ts, err)
	}

	// Inject and heal through the CLI; the fault shows in the API too.
	out, errOut, code = cqrslab(t, env, "fault", "inject", "latency=50ms", "--json")
	var res lab.ControlResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || !res.OK || len(res.Active) != 1 {
		t.Fatalf("fault inject: exit %d, %q %q", code, out, errOut)
	}
	if ts, err := rp.Toxics(); err != nil || len(ts) != 1 || ts[0].Attributes["latency"] != float64(50) {
		t.Fatalf("toxics through the API after `fault inject`: %+v, %v", ts, err)
	}
	out, _, code = cqrslab(t, env, "fault", "list")
	if code != 0 || !strings.Contains(out, "latency=50ms") || !strings.Contains(out, "Available:") {
		t.Fatalf("fault list: exit %d, %q", code, out)
	}
	if out, errOut, code = cqrslab(t, env, "fault", "inject", "pause"); code != 0 || !strings.Contains(out, "Injected pause") {
		t.Fatalf("fault inject pause: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code = cqrslab(t, env, "fault", "heal", "all"); code != 0 || !strings.Contains(out, "No fault is active") {
		t.Fatalf("fault heal all: exit %d, %q %q", code, out, errOut)
	}
	// The engine works again, through the same proxies.
	if _, errOut, code = cqrslab(t, env, "post", "create", "--author", "alice", "--title", "after the faults"); code != 0 {
		t.Fatalf("post create after heal: exit %d: %s", code, errOut)
	}

	up.Stop()
	all := up.Output()
	for _, want := range []string{"cqrslab fault inject latency=50ms", "toxiproxy-cli --host http://" + apiAddr,
		"direct:", "fault: changed through the Toxiproxy API", "fault: injected latency=50ms", "fault: injected pause",
		"fault: healed all"} {
		if !strings.Contains(all, want) {
			t.Errorf("lab up's output lacks %q:\n%s", want, all)
		}
	}
}
