package lab

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"cqrslab/internal/atomicfile"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// This file prepares a room of laptops before a workshop: venue Wi-Fi cannot
// pull two images for thirty people at once, so an instructor pulls them
// ahead of time, writes them to one archive (a USB stick), and each laptop
// loads that archive with no network at all. Everything goes through the same
// dockertest client, DOCKER_HOST rule and error advice as the lab's own
// containers, so "prepare worked" means "the lab will find the images".

// Phases of image preparation, reported through ProgressFunc like a start.
const (
	PhasePresent Phase = "present"
	PhaseSaving  Phase = "saving"
	PhaseLoading Phase = "loading"
)

// transferEvery is the least time between two byte-counter reports: often
// enough to look alive, rare enough not to flood a terminal or a log.
const transferEvery = 200 * time.Millisecond

// exportInactivity bounds how long a save may wait for the next bytes from
// the engine; the dockertest export call takes no context of its own.
const exportInactivity = 2 * time.Minute

// ImageStore is the image store of the Docker-compatible engine (Docker,
// Colima, Podman) that the docker provider runs its containers on.
type ImageStore struct {
	pool *dockertest.Pool
	// Endpoint is where the engine answered: DOCKER_HOST, or the default
	// socket when it is unset.
	Endpoint string
}

// OpenImageStore connects to the engine exactly as Start does, so its
// errors carry the same advice (start Docker, set DOCKER_HOST for Colima or
// Podman, or run without Docker).
func OpenImageStore(ctx context.Context) (*ImageStore, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return nil, err
	}
	return &ImageStore{pool: pool, Endpoint: pool.Client.Endpoint()}, nil
}

// ImageInfo is what the engine knows about one image reference.
type ImageInfo struct {
	// Ref is the reference as the engine names it: "repo:tag", with
	// ":latest" added when the tag was left out.
	Ref     string
	Present bool
	ID      string
	// Size is the unpacked size in bytes.
	Size int64
	// Arch is the image's CPU architecture ("amd64", "arm64"): an archive
	// made on an Apple-silicon Mac holds arm64 images, which an amd64
	// laptop cannot run natively.
	Arch string
}

// NormalizeImageRef adds ":latest" to a reference without a tag, the way the
// engine and the docker provider read it.
func NormalizeImageRef(ref string) string {
	repo, tag := splitImage(strings.TrimSpace(ref))
	return repo + ":" + tag
}

// Inspect says whether ref is present, and if so its ID, size and
// architecture. An absent image is not an error.
func (s *ImageStore) Inspect(ref string) (ImageInfo, error) {
	info := ImageInfo{Ref: NormalizeImageRef(ref)}
	img, err := s.pool.Client.InspectImage(info.Ref)
	if errors.Is(err, dc.ErrNoSuchImage) {
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("cannot inspect image %s at %s: %w", info.Ref, s.Endpoint, err)
	}
	info.Present, info.ID, info.Size, info.Arch = true, img.ID, img.Size, img.Architecture
	return info, nil
}

// EngineArch is the engine's CPU architecture in image terms ("amd64",
// "arm64"), to compare with ImageInfo.Arch.
func (s *ImageStore) EngineArch() (string, error) {
	info, err := s.pool.Client.Info()
	if err != nil {
		return "", fmt.Errorf("cannot ask the engine at %s about itself: %w", s.Endpoint, err)
	}
	return ImageArch(info.Architecture), nil
}

// ImageArch turns a kernel's machine name (what `uname -m` and the engine's
// info report) into the name images use.
func ImageArch(machine string) string {
	switch machine {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64", "armv8", "arm64e":
		return "arm64"
	}
	return machine
}

// Pull downloads ref, reporting layers and bytes through progress (whose
// Service is the reference). A failure says whether the registry could not
// be reached (then: bring an archive) or the image does not exist there
// (then: check the name).
func (s *ImageStore) Pull(ctx context.Context, ref string, progress ProgressFunc) error {
	if progress == nil {
		progress = func(Progress) {}
	}
	ref = NormalizeImageRef(ref)
	repo, tag := splitImage(ref)
	start := time.Now()
	progress(Progress{Service: ref, Phase: PhasePulling, Detail: "asking the registry", Elapsed: 0})
	out := &pullReporter{service: ref, start: start, progress: progress}
	err := s.pool.Client.PullImage(dc.PullImageOptions{Repository: repo, Tag: tag, Context: ctx,
		OutputStream: out, RawJSONStream: true, InactivityTimeout: 2 * time.Minute}, dc.AuthConfiguration{})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return pullError(ref, err)
	}
	return nil
}

// pullError turns an engine's pull failure into advice. Network trouble is
// told apart from a wrong name by the engine's own wording, which is all the
// API gives.
func pullError(ref string, err error) error {
	msg := strings.ToLower(err.Error())
	offline := []string{"no such host", "dial tcp", "i/o timeout", "network is unreachable", "connection refused",
		"tls handshake timeout", "client.timeout", "temporary failure in name resolution", "x509", "proxyconnect"}
	for _, s := range offline {
		if strings.Contains(msg, s) {
			return fmt.Errorf("cannot pull %s: this machine cannot reach a registry\n  (%v).\n"+
				"  On a machine that can, run:    cqrslab prepare --save cqrslab-images.tar\n"+
				"  then bring the file here, and: cqrslab prepare --load cqrslab-images.tar", ref, err)
		}
	}
	for _, s := range []string{"not found", "manifest unknown", "pull access denied", "repository does not exist"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("cannot pull %s: the registry has no such image (%v); check the name given "+
				"to --postgres-image/--redis-image or CQRSLAB_POSTGRES_IMAGE/CQRSLAB_REDIS_IMAGE", ref, err)
		}
	}
	return fmt.Errorf("cannot pull %s (%v); if this machine is offline, load the images from an archive "+
		"made elsewhere: `cqrslab prepare --load FILE`", ref, err)
}

// Transfer is a byte counter for a save or a load.
type Transfer struct {
	// Done is how many bytes have moved: the uncompressed stream from the
	// engine for a save, the bytes read from the file for a load.
	Done int64
	// Total is what Done will reach: the file's size for a load; 0 for a
	// save, whose size is known only at its end.
	Total   int64
	Elapsed time.Duration
	// Final is set on the last report, once the transfer has ended.
	Final bool
}

// TransferFunc receives a Transfer at most five times a second, and once
// more when the transfer ends. It runs on the transferring goroutine and must
// not block.
type TransferFunc func(Transfer)

// Archive describes an image archive just written or loaded.
type Archive struct {
	Path string
	// Refs are the image references the archive holds (its manifest's tags).
	Refs []string
	// Size is the file's size; Raw is the uncompressed tar stream's.
	Size, Raw  int64
	Compressed bool
	Elapsed    time.Duration
}

// compressedName says whether a save to path should be gzip-compressed.
func compressedName(path string) bool {
	return strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".tgz")
}

// Save writes refs, which must be present, to one archive at path, in the
// format `docker save` writes and `docker load` reads (gzip-compressed when
// path ends in .gz or .tgz). The archive is written to a fresh temporary file beside path and
// renamed into place once complete and synced, so an interrupted save never
// leaves a truncated archive under the real name. Cancelling ctx stops the
// save and removes the partial file.
func (s *ImageStore) Save(ctx context.Context, refs []string, path string, progress TransferFunc) (a Archive, err error) {
	start := time.Now()
	a = Archive{Path: path, Compressed: compressedName(path)}
	var names []string
	for _, ref := range refs {
		info, err := s.Inspect(ref)
		if err != nil {
			return a, err
		}
		if !info.Present {
			return a, fmt.Errorf("image %s is not on this machine, so it cannot be saved: "+
				"pull it first (`cqrslab prepare` does)", info.Ref)
		}
		if !slices.Contains(names, info.Ref) {
			names = append(names, info.Ref)
		}
	}
	if len(names) == 0 {
		return a, errors.New("no images to save")
	}

	// A fresh temporary file beside path, renamed over it once complete
	// (atomicfile refuses a path that is a device, a directory or a link).
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return a, fmt.Errorf("cannot write the archive: %w (choose a writable place for --save)", err)
	}
	defer f.Abort()
	tmp := f.TempName()
	buf := bufio.NewWriterSize(f, 1<<20)
	var sink io.Writer = buf
	var gz *gzip.Writer
	if a.Compressed {
		// BestSpeed: on the offline images the default level is 11%
		// smaller but takes three times as long (8.4 s against 2.8 s).
		gz, _ = gzip.NewWriterLevel(buf, gzip.BestSpeed)
		sink = gz
	}
	// No total: images share layers, so their sizes only bound the
	// archive from above, and a bar stuck at half would mislead.
	meter := &transferMeter{ctx: ctx, start: start, report: progress}

	pr, pw := io.Pipe()
	exported := make(chan error, 1)
	go func() {
		err := s.pool.Client.ExportImages(dc.ExportImagesOptions{Names: names, OutputStream: pw,
			InactivityTimeout: exportInactivity, Context: ctx})
		pw.CloseWithError(err)
		exported <- err
	}()
	// The export call ignores its context, so a cancel closes the pipe: its
	// next write fails and it returns.
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	defer stop()

	src := &teeReader{r: pr, w: io.MultiWriter(sink, meter)}
	tags, scanErr := scanArchive(src)
	pr.CloseWithError(errors.New("save ended"))
	var exportErr error
	select {
	case exportErr = <-exported:
	case <-ctx.Done():
		return a, ctx.Err()
	}
	switch {
	case ctx.Err() != nil:
		return a, ctx.Err()
	case exportErr != nil:
		return a, fmt.Errorf("the engine at %s could not export %s: %w", s.Endpoint, strings.Join(names, ", "), exportErr)
	case src.werr != nil:
		return a, fmt.Errorf("cannot write the archive %s: %w (is the disk full?)", tmp, src.werr)
	case scanErr != nil:
		return a, fmt.Errorf("the engine sent an incomplete archive (%v); try again", scanErr)
	}
	if gz != nil {
		if err = gz.Close(); err != nil {
			return a, fmt.Errorf("cannot write the archive %s: %w", tmp, err)
		}
	}
	if err = buf.Flush(); err != nil {
		return a, fmt.Errorf("cannot write the archive %s: %w (is the disk full?)", tmp, err)
	}
	if err = f.Commit(); err != nil {
		return a, fmt.Errorf("cannot move the archive into place: %w (is the disk full?)", err)
	}
	meter.finish()
	a.Refs, a.Raw, a.Elapsed = tags, meter.done, time.Since(start)
	if st, statErr := os.Stat(path); statErr == nil {
		a.Size = st.Size()
	}
	return a, nil
}

// Load reads an archive written by Save or `docker save` (plain or gzip,
// told apart by its first bytes, not its name) into the engine. The archive
// is streamed once: it is checked as a tar on its way to the engine, so a
// truncated or foreign file is named as such rather than by the engine's
// internals. Cancelling ctx stops the load.
func (s *ImageStore) Load(ctx context.Context, path string, progress TransferFunc) (a Archive, err error) {
	start := time.Now()
	a = Archive{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return a, fmt.Errorf("cannot read the archive: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return a, fmt.Errorf("cannot read the archive: %w", err)
	}
	if st.IsDir() {
		return a, fmt.Errorf("%s is a directory, not an image archive", path)
	}
	a.Size = st.Size()
	meter := &transferMeter{ctx: ctx, total: a.Size, start: start, report: progress}
	br := bufio.NewReaderSize(&meteredReader{r: f, m: meter}, 1<<20)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return a, fmt.Errorf("%s looks compressed but cannot be read: %w", path, err)
		}
		defer gz.Close()
		// Decompressed here, not by the engine: every engine then gets the
		// same plain tar, whatever formats its own load accepts.
		src, a.Compressed = gz, true
	}
	raw := &countingReader{r: src}

	pr, pw := io.Pipe()
	loaded := make(chan error, 1)
	var out bytes.Buffer // written by the load goroutine, read after it ends
	go func() {
		err := s.pool.Client.LoadImage(dc.LoadImageOptions{InputStream: pr, OutputStream: &out, Context: ctx})
		// If the engine stops reading early, our next write must not block.
		pr.CloseWithError(errors.Join(err, errors.New("the engine stopped reading")))
		loaded <- err
	}()
	// Large writes into the pipe: each becomes one chunk of the HTTP
	// request, and 8 KB chunks (what reading a tar yields) make the load
	// about twice as slow as `docker load`.
	toEngine := bufio.NewWriterSize(pw, 1<<20)
	tee := &teeReader{r: raw, w: toEngine}
	tags, scanErr := scanArchive(tee)
	if scanErr == nil {
		if err := toEngine.Flush(); err != nil {
			tee.werr, scanErr = err, err
		}
	}
	if scanErr != nil {
		pw.CloseWithError(scanErr)
	} else {
		pw.Close()
	}
	loadErr := <-loaded
	switch {
	case ctx.Err() != nil:
		return a, ctx.Err()
	case scanErr != nil && tee.werr == nil:
		// Our side failed first; the engine's error is only the echo of
		// the request we cut short.
		return a, fmt.Errorf("%s is not a complete image archive (%v); write it again with "+
			"`cqrslab prepare --save FILE` on a machine that has the images", path, scanErr)
	case loadErr != nil:
		return a, fmt.Errorf("the engine at %s could not load %s: %w", s.Endpoint, path, loadErr)
	case scanErr != nil:
		return a, fmt.Errorf("the engine at %s stopped reading %s: %w", s.Endpoint, path, tee.werr)
	}
	meter.finish()
	a.Refs, a.Raw, a.Elapsed = tags, raw.n, time.Since(start)
	for line := range strings.SplitSeq(out.String(), "\n") {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(line), "Loaded image: "); ok && !slices.Contains(a.Refs, ref) {
			a.Refs = append(a.Refs, ref)
		}
	}
	return a, nil
}

// scanArchive reads a `docker save` tar to its end and returns the image
// tags its manifest.json lists. Reading it whole is the point: the bytes
// flow on to a file or the engine, and a truncated stream is caught here.
func scanArchive(r io.Reader) ([]string, error) {
	tr := tar.NewReader(r)
	var tags []string
	sawManifest := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if hdr.Name != "manifest.json" {
			continue
		}
		var manifest []struct{ RepoTags []string }
		if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
		sawManifest = true
		for _, m := range manifest {
			tags = append(tags, m.RepoTags...)
		}
	}
	if !sawManifest {
		return nil, errors.New("no manifest.json: not an image archive")
	}
	// The end-of-archive padding still has to reach the destination.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return tags, nil
}

// teeReader is io.TeeReader that remembers whether the writer failed, so a
// failure can be blamed on the right side (the archive or its destination).
type teeReader struct {
	r    io.Reader
	w    io.Writer
	werr error
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.werr = werr
			return n, werr
		}
	}
	return n, err
}

// transferMeter counts bytes, reports them at most every transferEvery, and
// fails the transfer once ctx is cancelled.
type transferMeter struct {
	ctx    context.Context
	total  int64
	start  time.Time
	report TransferFunc

	done int64
	last time.Time
}

func (m *transferMeter) Write(p []byte) (int, error) {
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	m.done += int64(len(p))
	if m.report != nil && time.Since(m.last) >= transferEvery {
		m.last = time.Now()
		m.report(Transfer{Done: m.done, Total: m.total, Elapsed: time.Since(m.start)})
	}
	return len(p), nil
}

func (m *transferMeter) finish() {
	if m.report != nil {
		m.report(Transfer{Done: m.done, Total: max(m.total, m.done), Elapsed: time.Since(m.start), Final: true})
	}
}

// meteredReader feeds the bytes it reads to a transferMeter.
type meteredReader struct {
	r io.Reader
	m *transferMeter
}

func (r *meteredReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		if _, merr := r.m.Write(p[:n]); merr != nil {
			return n, merr
		}
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
