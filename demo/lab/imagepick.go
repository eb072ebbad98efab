package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
)

// This file decides which images a docker lab runs. A room that built the
// offline images (scripts/build-offline-images.sh) or loaded an archive
// (`cqrslab prepare --load`) should not also have to find and export two
// variables: when the official images are not here, images made for the lab
// are found by their tag or label and used, and the lab says so. The same
// decision serves `lab up`, the TUI, the tests and `doctor`, so doctor's
// verdict and the lab's behaviour cannot disagree.

// Offline image names: the tags scripts/build-offline-images.sh gives its
// images, and the label it puts on them (a re-tagged copy keeps the label).
const (
	OfflinePostgresImage = "cqrslab-offline/postgres:15"
	OfflineRedisImage    = "cqrslab-offline/redis:7"
	offlineTitleLabel    = "org.opencontainers.image.title"
)

// ImageSource says why a docker lab runs the image it runs.
type ImageSource string

const (
	// FromAsked: the image asked for (flag, environment or default) is here.
	FromAsked ImageSource = "asked"
	// FromOffline: the default image is not here, and an offline image
	// (built by the script or loaded by `prepare --load`) stands in.
	FromOffline ImageSource = "offline"
	// FromPull: the image is not here; the start will pull it.
	FromPull ImageSource = "pull"
)

// ImagePick is the image one server of a docker lab will run.
type ImagePick struct {
	// Service is "postgres" or "redis".
	Service string `json:"service"`
	// Asked is the reference asked for, normalised ("repo:tag").
	Asked string `json:"asked"`
	// Ref is the image that will run: Asked, or an offline stand-in.
	Ref    string      `json:"ref"`
	Source ImageSource `json:"source"`
}

// Describe is the line a user reads about this pick: which image, and why
// that one.
func (p ImagePick) Describe() string {
	switch p.Source {
	case FromOffline:
		return fmt.Sprintf("%s: using %s, an offline image (built by scripts/build-offline-images.sh or loaded "+
			"by `cqrslab prepare --load`), because %s is not on this machine", p.Service, p.Ref, p.Asked)
	case FromPull:
		return fmt.Sprintf("%s: %s is not on this machine and will be pulled", p.Service, p.Ref)
	}
	return fmt.Sprintf("%s: using %s", p.Service, p.Ref)
}

// ImagePlan is the images of both servers.
type ImagePlan struct {
	Postgres ImagePick `json:"postgres"`
	Redis    ImagePick `json:"redis"`
}

// Picks are both picks, PostgreSQL first.
func (p ImagePlan) Picks() []ImagePick { return []ImagePick{p.Postgres, p.Redis} }

// Missing are the picks that are not on this machine.
func (p ImagePlan) Missing() []ImagePick {
	var m []ImagePick
	for _, pk := range p.Picks() {
		if pk.Source == FromPull {
			m = append(m, pk)
		}
	}
	return m
}

// PlanImages decides which images a docker lab started with opts will run,
// from what the engine has: it asks no registry, so it answers in
// milliseconds. An asked image that is here is used. Only the default
// (official) images are ever replaced, by an offline image when one is here:
// an image named by flag or environment is what the user wants, pulled if
// need be.
func PlanImages(client *dc.Client, opts Options) (ImagePlan, error) {
	opts = opts.withDefaults()
	var plan ImagePlan
	for _, s := range []struct {
		pick              *ImagePick
		service, asked    string
		official, offline string
	}{
		{&plan.Postgres, "postgres", opts.PostgresImage, DefaultPostgresImage, OfflinePostgresImage},
		{&plan.Redis, "redis", opts.RedisImage, DefaultRedisImage, OfflineRedisImage},
	} {
		asked := NormalizeImageRef(s.asked)
		*s.pick = ImagePick{Service: s.service, Asked: asked, Ref: asked, Source: FromAsked}
		present, err := imagePresent(client, asked)
		if err != nil {
			return plan, err
		}
		if present {
			continue
		}
		s.pick.Source = FromPull
		if asked != NormalizeImageRef(s.official) {
			continue
		}
		stand, err := findOfflineImage(client, s.service, s.offline)
		if err != nil {
			return plan, err
		}
		if stand != "" {
			s.pick.Ref, s.pick.Source = stand, FromOffline
		}
	}
	return plan, nil
}

func imagePresent(client *dc.Client, ref string) (bool, error) {
	_, err := client.InspectImage(ref)
	if errors.Is(err, dc.ErrNoSuchImage) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cannot ask the engine about image %s: %w", ref, err)
	}
	return true, nil
}

// findOfflineImage returns an offline image for service that is here: the
// script's own tag first, then any other tag of its repository, then any
// image carrying its label (a copy re-tagged by hand), newest first.
func findOfflineImage(client *dc.Client, service, known string) (string, error) {
	if ok, err := imagePresent(client, known); err != nil || ok {
		if ok {
			return known, nil
		}
		return "", err
	}
	repo, _ := splitImage(known)
	var found []dc.APIImages
	for _, filter := range []map[string][]string{
		{"reference": {repo}},
		{"label": {offlineTitleLabel + "=cqrslab offline " + service}},
	} {
		imgs, err := client.ListImages(dc.ListImagesOptions{Filters: filter})
		if err != nil {
			return "", fmt.Errorf("cannot list the engine's images: %w", err)
		}
		slices.SortFunc(imgs, func(a, b dc.APIImages) int { return int(b.Created - a.Created) })
		found = append(found, imgs...)
	}
	for _, img := range found {
		for _, tag := range img.RepoTags {
			if tag != "" && tag != "<none>:<none>" {
				return tag, nil
			}
		}
	}
	return "", nil
}

// pullMissing pulls, side by side, the planned images that are not here.
// When any cannot be had, the one error names every image that is missing,
// so a learner fixes both at once rather than one per attempt.
func pullMissing(ctx context.Context, client *dc.Client, plan ImagePlan, start time.Time, progress ProgressFunc) error {
	missing := plan.Missing()
	errs := make([]error, len(missing))
	var wg sync.WaitGroup
	for i, pk := range missing {
		wg.Go(func() {
			progress(Progress{Service: pk.Service, Phase: PhasePulling, Detail: pk.Ref, Elapsed: time.Since(start)})
			repo, tag := splitImage(pk.Ref)
			out := &pullReporter{service: pk.Service, start: start, progress: progress}
			errs[i] = client.PullImage(dc.PullImageOptions{Repository: repo, Tag: tag, Context: ctx,
				OutputStream: out, RawJSONStream: true, InactivityTimeout: 2 * time.Minute}, dc.AuthConfiguration{})
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var failed []string
	var reasons []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, missing[i].Ref)
			if r := err.Error(); !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &ImagesUnavailableError{Plan: plan, Images: failed, Reason: strings.Join(reasons, "; ")}
}

// ImagesUnavailableError is a docker lab that cannot start because images
// are neither here nor pullable. It matches ErrImageUnavailable.
type ImagesUnavailableError struct {
	Plan ImagePlan
	// Images are every image that could not be had.
	Images []string
	// Reason is what the engine said (or "not checked").
	Reason string
}

func (e *ImagesUnavailableError) Is(target error) bool { return target == ErrImageUnavailable }

func (e *ImagesUnavailableError) Error() string {
	noun := "image"
	if len(e.Images) > 1 {
		noun = "images"
	}
	// Offline images stand in only for the default images (PlanImages):
	// for one named by flag or environment, "no offline images are here"
	// would be a claim nobody checked (a machine with them said it).
	offline := fmt.Sprintf("no offline images (%s, %s) are here either", OfflinePostgresImage, OfflineRedisImage)
	for _, pk := range e.Plan.Picks() {
		if pk.Source == FromPull && pk.Asked != NormalizeImageRef(defaultImageOf(pk.Service)) {
			offline = "an image named by flag or environment is used as named, never replaced by an offline image " +
				"(unset it to let the lab use " + OfflinePostgresImage + " and " + OfflineRedisImage + " when they are here)"
			break
		}
	}
	return fmt.Sprintf("%s: the lab needs the %s %s, not on this machine and not pullable (%s); %s.\n%s",
		ErrImageUnavailable, noun, strings.Join(e.Images, " and "), e.Reason, offline, ImagesFix)
}

// defaultImageOf is the official image a service runs unless told otherwise.
func defaultImageOf(service string) string {
	if service == "redis" {
		return DefaultRedisImage
	}
	return DefaultPostgresImage
}

// ImagesFix is the advice for a machine that has neither the images nor a
// registry: the ways to get images the lab finds by itself. Each says what
// it needs: the build script debootstraps from Debian's package mirror, so
// it is no fix for a machine without any network (a newcomer was sent to
// it by an earlier "Without a network: ..." wording), and it is in the
// source tree, not in the binary.
const ImagesFix = "Without a registry: `cqrslab prepare --load FILE`, an archive made with " +
	"`cqrslab prepare --save FILE` on a machine that has the images; or, in a checkout of cqrslab on " +
	"Debian or Ubuntu that reaches its package mirror, `sudo scripts/build-offline-images.sh`. The lab " +
	"then finds those images by itself. Or run without Docker: add `--infra local` to the command " +
	"(PostgreSQL and Redis installed here)."

// pullableTimeout bounds the registry question: an offline engine answers
// in well under a second (no DNS), a slow registry should not hold doctor.
const pullableTimeout = 10 * time.Second

// Pullable asks the engine whether the registry has ref, without
// downloading it (the distribution endpoint reads only the manifest). A nil
// error means a start would be able to pull it.
func Pullable(ctx context.Context, client *dc.Client, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, pullableTimeout)
	defer cancel()
	answered := make(chan error, 1)
	// The client's call takes no context; it is abandoned on timeout.
	go func() {
		_, err := client.InspectDistribution(NormalizeImageRef(ref))
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			return pullError(NormalizeImageRef(ref), err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the registry did not answer about %s within %s", ref, pullableTimeout)
	}
}

// Plan is PlanImages on this store's engine.
func (s *ImageStore) Plan(opts Options) (ImagePlan, error) { return PlanImages(s.pool.Client, opts) }
