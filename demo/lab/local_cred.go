package lab

// Credentials: which user the local servers run as, and where their files may live.

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// localServerCredential says which user the PostgreSQL programs run as. As
// an ordinary user: ourselves (nil). As root: PostgreSQL refuses to run, so
// we drop to the "postgres" user when the system has one (it is made for
// this) or else to "nobody".
func localServerCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and PostgreSQL refuses to run as root, but neither a postgres nor a nobody user exists to run it as; run cqrslab as an ordinary user")
}

// localTempRoot is where run directories go. When PostgreSQL runs as another
// user, every directory above its data directory must let that user through;
// a private TMPDIR (e.g. under /root) would not, so /tmp is used instead.
func localTempRoot(cred *syscall.Credential) string {
	if shm := roomyTmpfs(); shm != "" {
		return shm
	}
	dir := os.TempDir()
	if cred == nil || othersCanTraverse(dir) {
		return dir
	}
	return "/tmp"
}

func othersCanTraverse(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}
