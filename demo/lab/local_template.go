package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// initdb is most of a local lab's start (1 to 4 s on a busy machine, more
// than everything else together), and every lab's cluster is the same but
// for its password. So the first local lab on a machine keeps a copy of its
// freshly made cluster (the cqrslab role and database, nothing else) in the
// state directory, and later labs copy that and set their own password in
// single-user mode: a copy and one backend start instead of initdb.
//
// The template is keyed by the postgres binary (path, size, time) and a
// recipe version, so an upgraded PostgreSQL makes a new one; it is made in
// the run's own directory and renamed into place, so two labs starting at
// once never see half a template.

// pgTemplateRecipe changes when the template's making changes.
const pgTemplateRecipe = "2"

func pgTemplateDir(bins localBins) string {
	h := sha256.New()
	fmt.Fprintln(h, pgTemplateRecipe, bins.initdb, bins.postgres)
	if st, err := os.Stat(bins.postgres); err == nil {
		fmt.Fprintln(h, st.Size(), st.ModTime().UnixNano())
	}
	return filepath.Join(StateDir(), "pgtemplate-"+hex.EncodeToString(h.Sum(nil))[:16])
}

// preparePostgres gives the run a cluster in r.dir/pgdata whose cqrslab
// role has password: from the template when there is one, else by initdb
// (keeping a template for the next lab). detail says which, for progress.
func (r *localRun) preparePostgres(ctx context.Context, bins localBins, password string) (detail string, err error) {
	data := filepath.Join(r.dir, "pgdata")
	tmpl := pgTemplateDir(bins)
	if _, err := os.Stat(filepath.Join(tmpl, "PG_VERSION")); err == nil {
		if err := copyTree(tmpl, data, r.cred); err == nil {
			err = r.runTool(ctx, "password", bins.postgres, []string{
				"--single", "-D", data, "-F", "-c", "listen_addresses=", "-c", "exit_on_error=on", "postgres",
			}, "ALTER ROLE cqrslab PASSWORD '"+strings.ReplaceAll(password, "'", "''")+"';\n")
			if err == nil {
				return "cluster copied from the template", nil
			}
		}
		// A bad template: start over the slow way, and replace it.
		_ = os.RemoveAll(data)
		_ = os.RemoveAll(tmpl)
	}
	if err := r.initPostgres(ctx, bins, password); err != nil {
		return "", err
	}
	// Keep a copy for the next lab, made before this cluster ever ran.
	if err := os.MkdirAll(filepath.Dir(tmpl), 0o700); err == nil {
		tmp := tmpl + ".tmp-" + r.runID
		if err := copyTree(data, tmp, nil); err == nil {
			if os.Rename(tmp, tmpl) != nil {
				_ = os.RemoveAll(tmp)
			}
		} else {
			_ = os.RemoveAll(tmp)
		}
	}
	return "initdb (the next lab copies its cluster)", nil
}

// copyTree copies a data directory (directories, regular files, symbolic
// links), keeping modes and handing everything to cred's user when set.
func copyTree(src, dst string, cred *syscall.Credential) error {
	own := func(p string) error {
		if cred == nil {
			return nil
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(out, info.Mode().Perm()); err != nil {
				return err
			}
			return own(out)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, out); err != nil {
				return err
			}
			return own(out)
		case d.Type().IsRegular():
			if err := copyFile(p, out, info.Mode().Perm()); err != nil {
				return err
			}
			return own(out)
		}
		return fmt.Errorf("copy %s: not a file, directory or link (mode %s)", p, strconv.Quote(info.Mode().String()))
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// roomyTmpfs is /dev/shm when it is a memory file system everyone can
// traverse with room for a few clusters: a lab's data lives minutes and is
// thrown away, so it need not touch the disk (on a busy machine a copy of
// the cluster took 2 s on disk). "" when there is no such place (macOS, a
// container's 64 MB /dev/shm).
func roomyTmpfs() string {
	const dir = "/dev/shm"
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Type != 0x01021994 /* TMPFS_MAGIC */ {
		return ""
	}
	if uint64(st.Bavail)*uint64(st.Bsize) < 1<<30 || !othersCanTraverse(dir) {
		return ""
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o002 == 0 || fi.Mode()&os.ModeSticky == 0 {
		return ""
	}
	return dir
}
