package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

func TestProbeEngine(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(t *testing.T, home string)
		wantUp    bool
		wantWords []string // in describe() when up, whyDown() when down
	}{
		{"docker at DOCKER_HOST", func(t *testing.T, home string) {
			p := filepath.Join(home, "d.sock")
			startFakeEngine(t, p, nil)
			t.Setenv("DOCKER_HOST", "unix://"+p)
		}, true, []string{"Docker 20.10.24", "Test OS", "amd64", "from DOCKER_HOST"}},
		{"podman named as such", func(t *testing.T, home string) {
			p := filepath.Join(home, "p.sock")
			startFakeEngine(t, p, func(e *fakeEngine) { e.podman = true; e.arch = "aarch64" })
			t.Setenv("DOCKER_HOST", "unix://"+p)
		}, true, []string{"Podman 4.9.3", "arm64"}},
		{"default socket", func(t *testing.T, home string) {
			startFakeEngine(t, filepath.Join(home, "default-docker.sock"), nil)
		}, true, []string{"Docker 20.10.24", "default-docker.sock"}},
		{"no socket", func(t *testing.T, home string) {
			t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
		}, false, []string{"no Docker socket at /nonexistent.sock"}},
		{"stopped engine", func(t *testing.T, home string) {
			p := filepath.Join(home, "stale.sock")
			staleSocket(t, p)
			t.Setenv("DOCKER_HOST", "unix://"+p)
		}, false, []string{"nothing answers", "stopped"}},
		{"hung engine", func(t *testing.T, home string) {
			p := filepath.Join(home, "hung.sock")
			startFakeEngine(t, p, func(e *fakeEngine) { e.hang = true })
			t.Setenv("DOCKER_HOST", "unix://"+p)
		}, false, []string{"did not answer within"}},
	}
	old := pingTimeout
	pingTimeout = 300 * time.Millisecond
	t.Cleanup(func() { pingTimeout = old })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := isolate(t)
			tc.setup(t, home)
			start := time.Now()
			e := probeEngine(context.Background())
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("probe took %s", took)
			}
			if up := e.err == nil; up != tc.wantUp {
				t.Fatalf("up = %v (err %v), want %v", up, e.err, tc.wantUp)
			}
			got := e.describe()
			if !tc.wantUp {
				got = e.whyDown()
			}
			for _, w := range tc.wantWords {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
}

func TestFindSockets(t *testing.T) {
	home := isolate(t)
	colima := filepath.Join(home, ".colima", "default", "docker.sock")
	startFakeEngine(t, colima, nil)
	podman := filepath.Join(home, "run", "podman", "podman.sock")
	staleSocket(t, podman)
	// A plain file where a socket would be is not an engine.
	os.MkdirAll(filepath.Join(home, ".rd"), 0o755)
	os.WriteFile(filepath.Join(home, ".rd", "docker.sock"), nil, 0o644)

	found := findSockets(context.Background(), "")
	byLabel := map[string]socket{}
	for _, s := range found {
		byLabel[s.label] = s
	}
	if s, ok := byLabel["Colima"]; !ok || !s.alive || s.path != colima {
		t.Errorf("Colima: %+v (found %+v)", s, found)
	}
	if s, ok := byLabel["Podman (rootless)"]; !ok || s.alive {
		t.Errorf("stale Podman socket: %+v", s)
	}
	if _, ok := byLabel["Rancher Desktop"]; ok {
		t.Error("a regular file was taken for a socket")
	}
	if len(findSockets(context.Background(), colima)) != 1 {
		t.Error("the socket the lab already tried is listed again")
	}
}

func TestContextSocket(t *testing.T) {
	home := isolate(t)
	sock := filepath.Join(home, ".colima", "default", "docker.sock")
	dir := filepath.Join(home, ".docker")
	sum := sha256.Sum256([]byte("colima"))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	os.MkdirAll(meta, 0o755)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"colima"}`), 0o644)
	os.WriteFile(filepath.Join(meta, "meta.json"),
		[]byte(`{"Name":"colima","Endpoints":{"docker":{"Host":"unix://`+sock+`"}}}`), 0o644)
	if path, name := contextSocket(home); path != sock || name != "colima" {
		t.Fatalf("contextSocket = %q, %q", path, name)
	}
	t.Setenv("DOCKER_CONTEXT", "default")
	if path, _ := contextSocket(home); path != "" {
		t.Errorf("the default context has no socket of its own, got %q", path)
	}
}

func TestCheckDocker(t *testing.T) {
	up := engine{endpoint: "unix:///var/run/docker.sock", source: "the default socket", product: "Docker 27.0"}
	down := engine{endpoint: "unix:///nonexistent.sock", source: "the default socket", err: errors.New("dial unix: connect: no such file or directory")}
	downEnv := down
	downEnv.source = "DOCKER_HOST"
	noLocal := errors.New("local servers not found")
	colimaAlive := []socket{{path: "/h/.colima/default/docker.sock", label: "Colima", alive: true}}
	colimaStopped := []socket{{path: "/h/.colima/default/docker.sock", label: "Colima", start: "colima start"}}
	defaultAlive := []socket{{path: "/var/run/docker.sock", label: "Docker", alive: true, isDefault: true}}
	cases := []struct {
		name     string
		provider lab.Provider
		e        engine
		others   []socket
		localErr error
		want     Status
		fix      []string
	}{
		{"up", lab.Auto, up, nil, nil, OK, nil},
		{"not needed with local", lab.Local, down, nil, nil, OK, nil},
		{"down, local can stand in", lab.Auto, down, nil, nil, Warn, []string{"start Docker"}},
		{"down, nothing else", lab.Auto, down, nil, noLocal, Fail, []string{"start Docker", "--infra local", "--infra external"}},
		{"down, docker asked for", lab.Docker, down, nil, nil, Fail, []string{"start Docker"}},
		{"colima answers elsewhere", lab.Docker, down, colimaAlive, nil, Fail,
			[]string{"export DOCKER_HOST=unix:///h/.colima/default/docker.sock", "not docker contexts"}},
		{"colima installed, stopped", lab.Docker, down, colimaStopped, nil, Fail, []string{"`colima start`", "export DOCKER_HOST="}},
		{"DOCKER_HOST wrong, default works", lab.Docker, downEnv, defaultAlive, nil, Fail, []string{"`unset DOCKER_HOST`"}},
		{"DOCKER_HOST wrong, nothing else", lab.Docker, downEnv, nil, nil, Fail, []string{"correct DOCKER_HOST"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := checkDocker(tc.provider, tc.e, tc.others, tc.localErr)
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s: %+v", c.Status, tc.want, c)
			}
			if tc.want != OK && (c.Fix == "" || c.Detail == "") {
				t.Errorf("a %s without detail or fix: %+v", c.Status, c)
			}
			for _, f := range tc.fix {
				if !strings.Contains(c.Fix, f) {
					t.Errorf("fix %q lacks %q", c.Fix, f)
				}
			}
		})
	}
}

func TestCheckImages(t *testing.T) {
	home := isolate(t)
	p := filepath.Join(home, "d.sock")
	startFakeEngine(t, p, func(e *fakeEngine) {
		e.images["pg:1"] = "amd64"
		e.images["rd:1"] = "arm64"
		e.pullable["nope:1"] = true
	})
	t.Setenv("DOCKER_HOST", "unix://"+p)
	e := probeEngine(context.Background())
	if e.err != nil {
		t.Fatal(e.err)
	}
	cases := []struct {
		name       string
		cfg        Config
		e          engine
		localErr   error
		pg, redis  Status
		pgContains string
	}{
		{"present and missing", Config{Provider: lab.Auto, PostgresImage: "pg:1", RedisImage: "nope:1"}, e, nil, OK, Warn, "93 MB"},
		{"wrong architecture", Config{Provider: lab.Docker, PostgresImage: "pg:1", RedisImage: "rd:1"}, e, nil, OK, Warn, "pg:1"},
		{"local provider", Config{Provider: lab.Local, PostgresImage: "x", RedisImage: "y"}, e, nil, OK, OK, "not used"},
		{"docker down, local stands in", Config{Provider: lab.Auto, PostgresImage: "x", RedisImage: "y"},
			engine{err: errors.New("down")}, nil, OK, OK, "not needed"},
		{"docker down, nothing else", Config{Provider: lab.Auto, PostgresImage: "x", RedisImage: "y"},
			engine{err: errors.New("down")}, errors.New("no local"), Warn, Warn, "not checked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := checkImages(context.Background(), tc.cfg, tc.e, tc.localErr)
			if len(cs) != 2 || cs[0].Status != tc.pg || cs[1].Status != tc.redis {
				t.Fatalf("got %+v, want %s/%s", cs, tc.pg, tc.redis)
			}
			if !strings.Contains(cs[0].Detail, tc.pgContains) {
				t.Errorf("%q lacks %q", cs[0].Detail, tc.pgContains)
			}
			for _, c := range cs {
				if c.Status == Warn && c.Fix == "" {
					t.Errorf("warning without a fix: %+v", c)
				}
			}
		})
	}
	missing := checkImages(context.Background(), Config{Provider: lab.Auto, PostgresImage: "pg:1", RedisImage: "nope:1"}, e, nil)[1]
	for _, w := range []string{"cqrslab prepare", "--load"} {
		if !strings.Contains(missing.Fix, w) {
			t.Errorf("fix for a missing image lacks %q: %q", w, missing.Fix)
		}
	}
	wrong := checkImages(context.Background(), Config{Provider: lab.Docker, PostgresImage: "pg:1", RedisImage: "rd:1"}, e, nil)[1]
	if !strings.Contains(wrong.Detail, "arm64") || !strings.Contains(wrong.Detail, "amd64") {
		t.Errorf("architecture mismatch not named: %q", wrong.Detail)
	}
}

// TestImagesFoundOrNot: what doctor says about images follows the lab's own
// choice (lab.PlanImages), so its verdict is the start's: an absent
// official image is replaced by an offline one that is here; an image that
// is neither here nor pullable fails ("the lab will not run"), unless local
// servers stand in.
func TestImagesFoundOrNot(t *testing.T) {
	home := isolate(t)
	p := filepath.Join(home, "d.sock")
	fe := startFakeEngine(t, p, nil)
	t.Setenv("DOCKER_HOST", "unix://"+p)
	e := probeEngine(context.Background())
	if e.err != nil {
		t.Fatal(e.err)
	}
	official := Config{Provider: lab.Docker, PostgresImage: lab.DefaultPostgresImage, RedisImage: lab.DefaultRedisImage}

	// A bare engine that cannot pull: both fail, each naming its image.
	cs := checkImages(context.Background(), official, e, errors.New("no local"))
	for i, ref := range []string{lab.DefaultPostgresImage, lab.DefaultRedisImage} {
		if cs[i].Status != Fail || !strings.Contains(cs[i].Detail, ref) ||
			!strings.Contains(cs[i].Detail, "the lab will not run") || !strings.Contains(cs[i].Fix, "prepare --load") {
			t.Errorf("bare engine, %s: %+v", ref, cs[i])
		}
	}
	// The same with auto and local servers: a warning, local stands in.
	auto := official
	auto.Provider = lab.Auto
	cs = checkImages(context.Background(), auto, e, nil)
	if cs[0].Status != Warn || !strings.Contains(cs[0].Detail, "local PostgreSQL and Redis instead") {
		t.Errorf("bare engine, local servers: %+v", cs[0])
	}
	// The offline images are here: used, and said so.
	fe.images[lab.OfflinePostgresImage] = "amd64"
	fe.images["cqrslab-offline/redis:8"] = "amd64" // another tag of the offline repository
	cs = checkImages(context.Background(), official, e, errors.New("no local"))
	for i, ref := range []string{"cqrslab-offline/postgres:15", "cqrslab-offline/redis:8"} {
		if cs[i].Status != OK || !strings.Contains(cs[i].Detail, "offline image "+ref) {
			t.Errorf("offline images here, want %s: %+v", ref, cs[i])
		}
	}
	// An image named on purpose is never replaced: pulled, or failed.
	named := Config{Provider: lab.Docker, PostgresImage: "mine/pg:1", RedisImage: lab.DefaultRedisImage}
	if c := checkImages(context.Background(), named, e, errors.New("no local"))[0]; c.Status != Fail ||
		!strings.Contains(c.Detail, "mine/pg:1") {
		t.Errorf("named image absent and not pullable: %+v", c)
	}
	fe.pullable["mine/pg:1"] = true
	if c := checkImages(context.Background(), named, e, errors.New("no local"))[0]; c.Status != Warn ||
		!strings.Contains(c.Detail, "download") {
		t.Errorf("named image pullable: %+v", c)
	}
}

func TestCheckLocal(t *testing.T) {
	missing := errors.New("local servers not found: redis-server")
	cases := []struct {
		provider lab.Provider
		dockerUp bool
		err      error
		want     Status
	}{
		{lab.Auto, true, nil, OK},
		{lab.Auto, true, missing, OK},
		{lab.Auto, false, missing, Warn},
		{lab.Local, true, missing, Fail},
		{lab.Local, false, nil, OK},
		{lab.External, false, missing, OK},
	}
	for _, tc := range cases {
		c := checkLocal(tc.provider, tc.dockerUp, tc.err)
		if c.Status != tc.want {
			t.Errorf("%s, docker up %v, err %v: %s, want %s", tc.provider, tc.dockerUp, tc.err, c.Status, tc.want)
		}
	}
}
