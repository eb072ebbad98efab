package doctor

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeEngine is a Docker-compatible API on a unix socket that answers the
// few calls the doctor makes. It stands in for Colima, Podman or a Docker
// whose state a test needs to choose, without touching the real daemon
// other tests use.
type fakeEngine struct {
	path       string
	podman     bool
	arch       string            // kernel name, e.g. "x86_64"
	images     map[string]string // ref -> image architecture
	pullable   map[string]bool   // refs the "registry" has (others: no network)
	hang       bool              // accept connections, never answer
	listener   net.Listener
	pathPrefix *regexp.Regexp
}

func startFakeEngine(t *testing.T, path string, configure func(*fakeEngine)) *fakeEngine {
	t.Helper()
	e := &fakeEngine{path: path, arch: "x86_64", images: map[string]string{},
		pullable: map[string]bool{}, pathPrefix: regexp.MustCompile(`^/v[0-9.]+`)}
	if configure != nil {
		configure(e)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	e.listener = ln
	srv := &http.Server{Handler: http.HandlerFunc(e.serve)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return e
}

func (e *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	if e.hang {
		<-r.Context().Done()
		return
	}
	path := e.pathPrefix.ReplaceAllString(r.URL.Path, "")
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case path == "/_ping":
		w.Write([]byte("OK"))
	case path == "/version":
		v := map[string]any{"Version": "20.10.24", "ApiVersion": "1.41"}
		if e.podman {
			v["Version"] = "4.9.3"
			v["Components"] = []map[string]string{{"Name": "Podman Engine", "Version": "4.9.3"}}
		}
		reply(v)
	case path == "/info":
		reply(map[string]any{"OperatingSystem": "Test OS", "Architecture": e.arch})
	case path == "/images/json":
		// Only the reference filter (a repository) is honoured; the label
		// filter finds nothing, as for images without the offline label.
		var filters map[string][]string
		json.Unmarshal([]byte(r.URL.Query().Get("filters")), &filters)
		list := []map[string]any{}
		for ref := range e.images {
			for _, repo := range filters["reference"] {
				if strings.HasPrefix(ref, repo+":") {
					list = append(list, map[string]any{"Id": "sha256:" + ref, "RepoTags": []string{ref}})
				}
			}
		}
		reply(list)
	case strings.HasPrefix(path, "/distribution/"):
		ref := strings.TrimSuffix(strings.TrimPrefix(path, "/distribution/"), "/json")
		if !e.pullable[ref] {
			w.WriteHeader(http.StatusInternalServerError)
			reply(map[string]string{"message": `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`})
			return
		}
		reply(map[string]any{"Descriptor": map[string]any{"digest": "sha256:abcd"}})
	case strings.HasPrefix(path, "/images/") && strings.HasSuffix(path, "/json"):
		ref := strings.TrimSuffix(strings.TrimPrefix(path, "/images/"), "/json")
		arch, ok := e.images[ref]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			reply(map[string]string{"message": "No such image: " + ref})
			return
		}
		reply(map[string]any{"Id": "sha256:1234", "Size": 93_000_000, "Architecture": arch})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// staleSocket leaves a socket file nobody listens on: what a stopped
// engine leaves behind, refusing connections.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
}

// shortTempDir is a temporary directory with a short path: unix socket
// paths are limited to about 100 bytes, which t.TempDir() can exceed.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "doc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// isolate points every place the doctor looks for engines at an empty
// temporary home, so the machine's real sockets do not leak into a test.
func isolate(t *testing.T) string {
	t.Helper()
	home := shortTempDir(t)
	t.Setenv("HOME", home)
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	t.Setenv("DOCKER_CONFIG", "")
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("COLIMA_HOME", "")
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_URL", "")
	t.Setenv("DOCKER_CERT_PATH", "")
	old := defaultDockerHost
	defaultDockerHost = "unix://" + filepath.Join(home, "default-docker.sock")
	t.Cleanup(func() { defaultDockerHost = old })
	return home
}
