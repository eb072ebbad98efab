package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo/lab"
	"cqrslab/internal/atomicfile"
)

const prepareUsage = `prepare [--postgres-image IMG] [--redis-image IMG] [--save FILE | --load FILE]

Gets the lab's two images onto this machine before a workshop, so that
starting the lab needs no network:

  cqrslab prepare                 pull the images now (those already here are kept)
  cqrslab prepare --save FILE     pull them if needed, then write both to FILE
                                  (FILE.gz or FILE.tgz: compressed)
  cqrslab prepare --load FILE     load the images from FILE, with no network
                                  (a USB stick in a room without internet)

The images are the ones 'lab up' uses: --postgres-image/--redis-image, or
CQRSLAB_POSTGRES_IMAGE/CQRSLAB_REDIS_IMAGE, or the official defaults. Make the
archive on a machine of the same CPU type as the laptops (amd64 or arm64).`

func prepareCmd(stdio Stdio) *cobra.Command {
	c := leaf(prepareUsage, "pull the images before a workshop, or --save/--load them as one archive")
	fs := c.Flags()
	env := lab.OptionsFromEnv()
	pgImage := fs.String("postgres-image", orDefault(env.PostgresImage, lab.DefaultPostgresImage),
		"the PostgreSQL image (env CQRSLAB_POSTGRES_IMAGE)")
	redisImage := fs.String("redis-image", orDefault(env.RedisImage, lab.DefaultRedisImage),
		"the Redis image (env CQRSLAB_REDIS_IMAGE)")
	save := fs.String("save", "", "after pulling, write both images to one archive FILE (gzip when it ends in .gz or .tgz)")
	load := fs.String("load", "", "load the images from the archive FILE (made by --save or docker save); needs no network")
	c.MarkFlagFilename("save")
	c.MarkFlagFilename("load", "tar", "gz", "tgz")
	c.RegisterFlagCompletionFunc("postgres-image", cobra.NoFileCompletions)
	c.RegisterFlagCompletionFunc("redis-image", cobra.NoFileCompletions)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *save != "" && *load != "" {
			return usagef("prepare: --save and --load cannot be combined: save on a machine with the images, load on the others")
		}
		given := []string{*pgImage, *redisImage}
		for i, name := range []string{"--postgres-image", "--redis-image"} {
			if v := strings.TrimSpace(given[i]); v == "" || strings.ContainsAny(v, " \t") {
				return usagef("prepare: %s %q is not an image name (e.g. postgres:17-alpine)", name, given[i])
			}
		}
		images := []string{lab.NormalizeImageRef(*pgImage), lab.NormalizeImageRef(*redisImage)}
		if *load != "" {
			if _, err := os.Stat(*load); err != nil {
				return fmt.Errorf("prepare --load: %w", err)
			}
		}
		if *save != "" {
			if fi, err := os.Stat(filepath.Dir(*save)); err != nil || !fi.IsDir() {
				return fmt.Errorf("prepare --save: the folder %s does not exist", filepath.Dir(*save))
			}
			// A device, directory, FIFO or link is a wrong value for the flag,
			// known before any download: a usage error (2), not a failure
			// found minutes later. The save itself refuses them again.
			if err := atomicfile.CheckTarget(*save); err != nil {
				return usagef("prepare --save: %v", err)
			}
		}

		store, err := lab.OpenImageStore(ctx)
		if err != nil {
			return fmt.Errorf("prepare: %w\n  `cqrslab doctor` shows which engine sockets exist on this machine", err)
		}
		fmt.Fprintf(stdio.Err, "Docker engine: %s\n", store.Endpoint)
		if *load != "" {
			return loadImages(ctx, stdio, store, *load, images)
		}
		if err := pullImages(ctx, stdio, store, images); err != nil {
			return err
		}
		if *save == "" {
			fmt.Fprintln(stdio.Out, "Both images are on this machine: the lab will start without downloading anything.")
			return nil
		}
		return saveImages(ctx, stdio, store, *save, images)
	}
	return c
}

// pullImages pulls what is missing; an image already here is left alone, so
// `prepare` also works offline once the images are in.
func pullImages(ctx context.Context, stdio Stdio, store *lab.ImageStore, images []string) error {
	for _, ref := range images {
		info, err := store.Inspect(ref)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		if info.Present {
			fmt.Fprintf(stdio.Err, "  %-30s already here (%.0f MB)\n", ref, float64(info.Size)/1e6)
			continue
		}
		line := newProgressLine(stdio.Err)
		start := time.Now()
		err = store.Pull(ctx, ref, func(p lab.Progress) {
			line.update(fmt.Sprintf("  %-30s pulling  %5.1fs  %s", ref, p.Elapsed.Seconds(), p.Detail))
		})
		if err != nil {
			line.end(fmt.Sprintf("  %-30s failed", ref))
			return fmt.Errorf("prepare: %w", err)
		}
		line.end(fmt.Sprintf("  %-30s pulled in %.1fs", ref, time.Since(start).Seconds()))
	}
	return nil
}

func saveImages(ctx context.Context, stdio Stdio, store *lab.ImageStore, path string, images []string) error {
	fmt.Fprintf(stdio.Err, "Saving %d images to %s\n", len(images), path)
	line := newProgressLine(stdio.Err)
	line.update("  saving   the engine is packing the images...")
	a, err := store.Save(ctx, images, path, func(t lab.Transfer) { line.update(transferLine("saving", t)) })
	if err != nil {
		line.end("  saving failed; nothing written under " + path)
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("prepare --save: %w", err)
	}
	line.end(transferLine("saved", lab.Transfer{Done: a.Raw, Total: a.Raw, Elapsed: a.Elapsed, Final: true}))
	compressed := ""
	if a.Compressed {
		compressed = fmt.Sprintf(" (gzip of %.0f MB)", float64(a.Raw)/1e6)
	}
	fmt.Fprintf(stdio.Out, "Wrote %s: %.0f MB%s in %.1fs.\nIt holds %s.\n",
		path, float64(a.Size)/1e6, compressed, a.Elapsed.Seconds(), strings.Join(a.Refs, " and "))
	fmt.Fprintln(stdio.Out, "On each laptop, with no network needed:")
	offline := images[0] == lab.OfflinePostgresImage && images[1] == lab.OfflineRedisImage // found by the lab itself
	if !offline && (images[0] != lab.NormalizeImageRef(lab.DefaultPostgresImage) || images[1] != lab.NormalizeImageRef(lab.DefaultRedisImage)) {
		// Not the default images: the laptops must be told their names,
		// before the load (which checks for them) and before the lab.
		fmt.Fprintf(stdio.Out, "  export CQRSLAB_POSTGRES_IMAGE=%s CQRSLAB_REDIS_IMAGE=%s\n", images[0], images[1])
	}
	fmt.Fprintf(stdio.Out, "  cqrslab prepare --load %s\n", filepath.Base(path))
	return nil
}

// loadImages loads the archive, then checks the result against what the
// lab will ask for: an archive of other images (or for another CPU) loads
// fine but leaves the lab downloading on the day, so that is an error with
// the exact variables to set.
func loadImages(ctx context.Context, stdio Stdio, store *lab.ImageStore, path string, images []string) error {
	fmt.Fprintf(stdio.Err, "Loading %s\n", path)
	line := newProgressLine(stdio.Err)
	a, err := store.Load(ctx, path, func(t lab.Transfer) { line.update(transferLine("loading", t)) })
	if err != nil {
		line.end("  loading failed")
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("prepare --load: %w", err)
	}
	line.end(transferLine("loaded", lab.Transfer{Done: a.Size, Total: a.Size, Elapsed: a.Elapsed, Final: true}))
	fmt.Fprintf(stdio.Err, "  the archive held: %s\n", strings.Join(a.Refs, ", "))

	// The images the lab will run, decided as a start decides (offline
	// images stand in for absent official ones).
	plan, err := store.Plan(lab.Options{PostgresImage: images[0], RedisImage: images[1]})
	if err != nil {
		return fmt.Errorf("prepare --load: %w", err)
	}
	images = []string{plan.Postgres.Ref, plan.Redis.Ref}
	var missing []string
	var warnings []string
	engineArch, _ := store.EngineArch()
	for _, ref := range images {
		info, err := store.Inspect(ref)
		if err != nil {
			return fmt.Errorf("prepare --load: %w", err)
		}
		if !info.Present {
			missing = append(missing, ref)
			continue
		}
		if engineArch != "" && info.Arch != "" && info.Arch != engineArch {
			warnings = append(warnings, fmt.Sprintf("%s is built for %s but this machine runs %s: it may be slow "+
				"or fail to start; make the archive on a %s machine", ref, info.Arch, engineArch, engineArch))
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(stdio.Err, "cqrslab: warning: %s\n", w)
	}
	if len(missing) > 0 {
		return fmt.Errorf("prepare --load: %s loaded, but the lab uses %s, which it did not hold%s",
			path, strings.Join(missing, " and "), suggestImages(a.Refs))
	}
	fmt.Fprintf(stdio.Out, "Loaded %s from %s in %.1fs: the lab can start with no network.\n",
		strings.Join(images, " and "), filepath.Base(path), a.Elapsed.Seconds())
	for _, pk := range plan.Picks() {
		if pk.Source == lab.FromOffline {
			fmt.Fprintf(stdio.Out, "  %s\n", pk.Describe())
		}
	}
	return nil
}

// suggestImages turns an archive's tags into the exports that make the lab
// use them, when a PostgreSQL and a Redis image can be told apart by name.
func suggestImages(refs []string) string {
	var pg, rd string
	for _, r := range refs {
		switch {
		case pg == "" && strings.Contains(r, "postgres"):
			pg = r
		case rd == "" && strings.Contains(r, "redis"):
			rd = r
		}
	}
	if pg == "" || rd == "" {
		return "; check the archive, or pass the names it holds with --postgres-image and --redis-image"
	}
	return fmt.Sprintf("; to use the archive's images: export CQRSLAB_POSTGRES_IMAGE=%s CQRSLAB_REDIS_IMAGE=%s", pg, rd)
}

// transferLine formats a byte counter: done (of total, when known),
// throughput and time so far.
func transferLine(verb string, t lab.Transfer) string {
	s := fmt.Sprintf("  %-8s %7.1f MB", verb, float64(t.Done)/1e6)
	if t.Total > 0 && !t.Final {
		s += fmt.Sprintf(" of %.1f MB (%3d%%)", float64(t.Total)/1e6, t.Done*100/t.Total)
	}
	if secs := t.Elapsed.Seconds(); secs > 0 {
		s += fmt.Sprintf("  %5.1f MB/s  %5.1fs", float64(t.Done)/1e6/secs, secs)
	}
	return s
}

// progressLine shows a changing status. On a terminal it is rewritten in
// place; into a log or CI output a new line is printed at most once a
// second, so a long transfer leaves a readable trail rather than thousands
// of lines.
type progressLine struct {
	w     io.Writer
	tty   bool
	last  time.Time
	shown bool
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, tty: isTerminal(w)}
}

func (p *progressLine) update(s string) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", s)
		p.shown = true
		return
	}
	if time.Since(p.last) >= time.Second {
		p.last = time.Now()
		fmt.Fprintln(p.w, s)
	}
}

func (p *progressLine) end(s string) {
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintln(p.w, s)
}
