package lab

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
)

func TestNormalizeImageRef(t *testing.T) {
	cases := map[string]string{
		"postgres":                    "postgres:latest",
		"postgres:17-alpine":          "postgres:17-alpine",
		"registry.local:5000/pg":      "registry.local:5000/pg:latest",
		"registry.local:5000/pg:15":   "registry.local:5000/pg:15",
		" cqrslab-offline/redis:7 ":   "cqrslab-offline/redis:7",
		"docker.io/library/redis:7.2": "docker.io/library/redis:7.2",
	}
	for in, want := range cases {
		if got := NormalizeImageRef(in); got != want {
			t.Errorf("NormalizeImageRef(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "s390x": "s390x"} {
		if got := ImageArch(in); got != want {
			t.Errorf("ImageArch(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPullErrorAdvice(t *testing.T) {
	cases := []struct {
		engine string
		want   []string
	}{
		{`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host`,
			[]string{"cannot reach a registry", "prepare --save", "prepare --load"}},
		{"net/http: TLS handshake timeout", []string{"cannot reach a registry"}},
		{"manifest for postgres:99 not found: manifest unknown", []string{"no such image", "CQRSLAB_POSTGRES_IMAGE"}},
		{"pull access denied for nosuch/image, repository does not exist or may require 'docker login'",
			[]string{"no such image"}},
		{"something else entirely", []string{"prepare --load FILE"}},
	}
	for _, tc := range cases {
		err := pullError("postgres:17-alpine", errors.New(tc.engine))
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("engine said %q; advice %q lacks %q", tc.engine, err, w)
			}
		}
	}
}

// tarOf builds a tar from name/content pairs.
func tarOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		tw.WriteHeader(&tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1]))})
		tw.Write([]byte(files[i+1]))
	}
	tw.Close()
	return b.Bytes()
}

func TestScanArchive(t *testing.T) {
	good := tarOf(t, "abc/layer.tar", strings.Repeat("x", 5000),
		"manifest.json", `[{"Config":"a.json","RepoTags":["pg:1"]},{"Config":"b.json","RepoTags":["rd:1","rd:latest"]}]`)
	tags, err := scanArchive(bytes.NewReader(good))
	if err != nil || strings.Join(tags, ",") != "pg:1,rd:1,rd:latest" {
		t.Fatalf("tags %v, err %v", tags, err)
	}
	cases := map[string][]byte{
		"truncated":   good[:len(good)/2],
		"no manifest": tarOf(t, "hello.txt", "hi"),
		"not a tar":   []byte("this is not an archive at all, just some text that goes on"),
		"bad JSON":    tarOf(t, "manifest.json", "{"),
		"empty":       nil,
	}
	for name, b := range cases {
		if _, err := scanArchive(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// openStore connects to the engine, or skips (fails under
// CQRSLAB_REQUIRE_INFRA=1) when there is none.
func openStore(t *testing.T) *ImageStore {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := OpenImageStore(ctx)
	if err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("docker unavailable: %v", err)
		}
		t.Skipf("docker unavailable (install and start Docker): %v", err)
	}
	return store
}

func randomHex() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// tinyImages loads two images of a few kilobytes each, built here as a
// `docker save` archive with a random file, so each is unique to the test:
// removing them really removes them (no other image shares their layer),
// and the round trip takes milliseconds even under the race detector.
func tinyImages(t *testing.T, store *ImageStore) []string {
	t.Helper()
	var files []string
	var manifest []map[string]any
	var tags []string
	for _, name := range []string{"postgres", "redis"} {
		tag := "cqrslab-imagetest/" + name + ":" + randomHex()
		layer := tarOf(t, "marker", tag+" "+randomHex())
		layerSum := sha256.Sum256(layer)
		config, _ := json.Marshal(map[string]any{
			"architecture": runtime.GOARCH, "os": "linux", "config": map[string]any{},
			"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(layerSum[:])}},
			"history": []map[string]string{{"created": "2026-01-01T00:00:00Z", "created_by": "images_test"}},
		})
		configSum := sha256.Sum256(config)
		configName := hex.EncodeToString(configSum[:]) + ".json"
		layerName := hex.EncodeToString(layerSum[:]) + "/layer.tar"
		files = append(files, layerName, string(layer), configName, string(config))
		manifest = append(manifest, map[string]any{"Config": configName, "RepoTags": []string{tag}, "Layers": []string{layerName}})
		tags = append(tags, tag)
	}
	m, _ := json.Marshal(manifest)
	path := filepath.Join(t.TempDir(), "tiny.tar")
	if err := os.WriteFile(path, tarOf(t, append(files, "manifest.json", string(m))...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeImages(store, tags) })
	if _, err := store.Load(context.Background(), path, nil); err != nil {
		t.Fatalf("loading the hand-made archive: %v", err)
	}
	return tags
}

// taggedImages gives a test its own tags on the lab's real images (CI's
// offline ones, named by CQRSLAB_POSTGRES_IMAGE / CQRSLAB_REDIS_IMAGE), for
// tests that need a save that takes a while. Only these tags are ever
// removed, never the images other tests use.
func taggedImages(t *testing.T, store *ImageStore) []string {
	t.Helper()
	env := OptionsFromEnv()
	var tags []string
	for i, src := range []string{env.PostgresImage, env.RedisImage} {
		if src == "" {
			src = []string{DefaultPostgresImage, DefaultRedisImage}[i]
		}
		if info, err := store.Inspect(src); err != nil || !info.Present {
			msg := "image " + src + " is not here (set CQRSLAB_POSTGRES_IMAGE/CQRSLAB_REDIS_IMAGE to local images)"
			if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		repo, tag := "cqrslab-imagetest/"+[]string{"postgres", "redis"}[i], randomHex()
		if err := store.pool.Client.TagImage(NormalizeImageRef(src), dc.TagImageOptions{Repo: repo, Tag: tag}); err != nil {
			t.Fatal(err)
		}
		tags = append(tags, repo+":"+tag)
	}
	t.Cleanup(func() { removeImages(store, tags) })
	return tags
}

func removeImages(store *ImageStore, tags []string) {
	for _, tag := range tags {
		_ = store.pool.Client.RemoveImage(tag)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	store := openStore(t)
	tags := tinyImages(t, store)
	ids := map[string]string{}
	for _, tag := range tags {
		info, _ := store.Inspect(tag)
		ids[tag] = info.ID
	}
	for _, name := range []string{"images.tar", "images.tar.gz", "images.tgz"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			path := filepath.Join(t.TempDir(), name)
			var reports []Transfer
			saved, err := store.Save(ctx, tags, path, func(tr Transfer) { reports = append(reports, tr) })
			if err != nil {
				t.Fatal(err)
			}
			checkReports(t, reports)
			if saved.Compressed != (name != "images.tar") || saved.Size == 0 || saved.Raw == 0 {
				t.Errorf("saved %+v", saved)
			}
			// docker save lists the tags in no particular order.
			got, want := slices.Sorted(slices.Values(saved.Refs)), slices.Sorted(slices.Values(tags))
			if !slices.Equal(got, want) {
				t.Errorf("archive holds %v, want %v", saved.Refs, tags)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp*")); len(left) != 0 {
				t.Errorf("temporary file left: %v", left)
			}

			removeImages(store, tags)
			for _, tag := range tags {
				if info, _ := store.Inspect(tag); info.Present {
					t.Fatalf("%s still present after removal", tag)
				}
			}
			reports = nil
			loaded, err := store.Load(ctx, path, func(tr Transfer) { reports = append(reports, tr) })
			if err != nil {
				t.Fatal(err)
			}
			checkReports(t, reports)
			if last := reports[len(reports)-1]; last.Done != saved.Size || last.Total != saved.Size {
				t.Errorf("load counted %d of %d bytes, file has %d", last.Done, last.Total, saved.Size)
			}
			if loaded.Compressed != saved.Compressed || loaded.Raw != saved.Raw {
				t.Errorf("loaded %+v, saved %+v", loaded, saved)
			}
			for _, tag := range tags {
				info, err := store.Inspect(tag)
				if err != nil || !info.Present || info.ID != ids[tag] {
					t.Errorf("%s after load: %+v (%v), want ID %s", tag, info, err, ids[tag])
				}
				if !strings.Contains(strings.Join(loaded.Refs, ","), tag) {
					t.Errorf("load did not report %s: %v", tag, loaded.Refs)
				}
			}
		})
	}
}

// checkReports: at most about five reports a second, and exactly one final.
func checkReports(t *testing.T, reports []Transfer) {
	t.Helper()
	if len(reports) == 0 || !reports[len(reports)-1].Final {
		t.Fatalf("no final report: %+v", reports)
	}
	finals := 0
	for _, r := range reports {
		if r.Final {
			finals++
		}
	}
	elapsed := reports[len(reports)-1].Elapsed
	if limit := int(elapsed/transferEvery) + 2; len(reports)-finals > limit {
		t.Errorf("%d reports in %s: more than five a second", len(reports), elapsed)
	}
	if finals != 1 {
		t.Errorf("%d final reports", finals)
	}
}

func TestSaveCancelledLeavesNothing(t *testing.T) {
	store := openStore(t)
	tags := taggedImages(t, store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "images.tar")
	_, err := store.Save(ctx, tags, path, func(tr Transfer) {
		if tr.Done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s left behind (%v)", path, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp*")); len(left) != 0 {
		t.Errorf("temporary file left: %v", left)
	}
}

func TestSaveAndLoadErrorsAreActionable(t *testing.T) {
	store := openStore(t)
	tags := tinyImages(t, store)
	ctx := context.Background()
	dir := t.TempDir()

	_, err := store.Save(ctx, []string{tags[0], "cqrslab-imagetest/never:built"}, filepath.Join(dir, "x.tar"), nil)
	if err == nil || !strings.Contains(err.Error(), "cqrslab prepare") {
		t.Errorf("save of a missing image: %v", err)
	}
	_, err = store.Save(ctx, tags, filepath.Join(dir, "no", "such", "dir", "x.tar"), nil)
	if err == nil || !strings.Contains(err.Error(), "writable") {
		t.Errorf("save into a missing folder: %v", err)
	}

	junk := filepath.Join(dir, "junk.tar")
	os.WriteFile(junk, bytes.Repeat([]byte("not a tar "), 1000), 0o644)
	_, err = store.Load(ctx, junk, nil)
	if err == nil || !strings.Contains(err.Error(), "not a complete image archive") {
		t.Errorf("load of junk: %v", err)
	}
	_, err = store.Load(ctx, filepath.Join(dir, "missing.tar"), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read the archive") {
		t.Errorf("load of a missing file: %v", err)
	}
}
