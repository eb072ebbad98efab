package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	dc "github.com/ory/dockertest/v3/docker"
)

// socket is a Docker-compatible engine socket that exists on this machine
// but is not where the lab looks: Colima, Podman, Docker Desktop's per-user
// socket, or the endpoint of the active docker context. Finding one answers
// the most common question of a Mac or Podman user: "Docker works in my
// shell, why not in the lab?" (the lab reads DOCKER_HOST, not contexts).
type socket struct {
	path  string
	label string // "Colima", "Podman (rootless)", ...
	start string // how to start that engine, for when it does not answer
	alive bool
	// isDefault marks the default socket, which needs no DOCKER_HOST.
	isDefault bool
}

// knownSockets lists where engines put their sockets, most specific first.
// The default socket is among them: when DOCKER_HOST points somewhere dead
// while Docker answers there, the fix is to unset DOCKER_HOST.
func knownSockets() []socket {
	home, _ := os.UserHomeDir()
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	if runtimeDir == "" {
		runtimeDir = "/run/user/" + strconv.Itoa(os.Getuid())
	}
	var s []socket
	if path, name := contextSocket(home); path != "" {
		s = append(s, socket{path: path, label: "docker context " + strconv.Quote(name), start: "start the engine behind that context"})
	}
	colima := filepath.Join(home, ".colima")
	if d := os.Getenv("COLIMA_HOME"); d != "" {
		colima = d
	}
	if def, ok := strings.CutPrefix(defaultDockerHost, "unix://"); ok {
		s = append(s, socket{path: def, label: "Docker", start: "sudo systemctl start docker", isDefault: true})
	}
	s = append(s,
		socket{path: filepath.Join(colima, "default", "docker.sock"), label: "Colima", start: "colima start"},
		socket{path: filepath.Join(colima, "docker.sock"), label: "Colima", start: "colima start"},
		socket{path: filepath.Join(home, ".docker", "run", "docker.sock"), label: "Docker Desktop", start: "open Docker Desktop"},
		socket{path: filepath.Join(home, ".orbstack", "run", "docker.sock"), label: "OrbStack", start: "open OrbStack"},
		socket{path: filepath.Join(home, ".rd", "docker.sock"), label: "Rancher Desktop", start: "open Rancher Desktop"},
		socket{path: filepath.Join(runtimeDir, "docker.sock"), label: "rootless Docker", start: "systemctl --user start docker"},
		socket{path: filepath.Join(runtimeDir, "podman", "podman.sock"), label: "Podman (rootless)", start: "systemctl --user start podman.socket"},
		socket{path: "/run/podman/podman.sock", label: "Podman", start: "sudo systemctl start podman.socket"},
		socket{path: filepath.Join(home, ".local", "share", "containers", "podman", "machine", "podman.sock"),
			label: "Podman machine", start: "podman machine start"},
	)
	machines, _ := filepath.Glob(filepath.Join(home, ".local", "share", "containers", "podman", "machine", "*", "podman.sock"))
	for _, m := range machines {
		s = append(s, socket{path: m, label: "Podman machine", start: "podman machine start"})
	}
	return s
}

// findSockets returns the known sockets that exist, other than skip (the one
// the lab already tried), each pinged once.
func findSockets(ctx context.Context, skip string) []socket {
	var found []socket
	seen := map[string]bool{skip: true}
	for _, s := range knownSockets() {
		if seen[s.path] {
			continue
		}
		seen[s.path] = true
		if fi, err := os.Stat(s.path); err != nil || fi.Mode()&os.ModeSocket == 0 {
			continue
		}
		if c, err := dc.NewClient(unixEndpoint(s.path)); err == nil {
			s.alive = ping(ctx, c) == nil
		}
		found = append(found, s)
	}
	return found
}

// contextSocket reads the active docker context the way the docker CLI does
// (DOCKER_CONTEXT, else currentContext in config.json) and returns its
// endpoint when that is a unix socket.
func contextSocket(home string) (path, name string) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		dir = filepath.Join(home, ".docker")
	}
	name = os.Getenv("DOCKER_CONTEXT")
	if name == "" {
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil || json.Unmarshal(b, &cfg) != nil {
			return "", ""
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return "", ""
	}
	sum := sha256.Sum256([]byte(name))
	b, err := os.ReadFile(filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"))
	if err != nil {
		return "", ""
	}
	var meta struct {
		Endpoints map[string]struct{ Host string }
	}
	if json.Unmarshal(b, &meta) != nil {
		return "", ""
	}
	path, ok := strings.CutPrefix(meta.Endpoints["docker"].Host, "unix://")
	if !ok {
		return "", ""
	}
	return path, name
}
