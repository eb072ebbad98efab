#!/usr/bin/env bash
# build-offline-images.sh - build the lab's PostgreSQL and Redis images from
# Debian packages, without any container image registry.
#
#   scripts/build-offline-images.sh
#
# It debootstraps one minimal Debian rootfs (postgresql + redis-server) from the
# Debian mirror this machine's apt already uses, trims it, imports it into
# Docker (once per image, same layer) with the image metadata as --change lines
# (plus one local legacy-builder step for STOPSIGNAL), so nothing is ever pulled:
#
#   cqrslab-offline/postgres:15  - entrypoint compatible with the official
#                                  postgres image (POSTGRES_USER/PASSWORD/DB,
#                                  POSTGRES_HOST_AUTH_METHOD, PGDATA,
#                                  /docker-entrypoint-initdb.d, "postgres -c ...")
#   cqrslab-offline/redis:7      - entrypoint compatible with the official redis
#                                  image ("redis-server --requirepass x", "--foo")
#
# Environment:
#   CQRSLAB_POSTGRES_IMAGE  tag of the postgres image (default cqrslab-offline/postgres:15)
#   CQRSLAB_REDIS_IMAGE     tag of the redis image    (default cqrslab-offline/redis:7)
#   CQRSLAB_DEBIAN_MIRROR   Debian archive URL (default: read from apt sources)
#   CQRSLAB_DEBIAN_SUITE    Debian suite       (default: read from apt sources)
#   CQRSLAB_CACHE_DIR       cache dir for the rootfs (default ~/.cache/cqrslab)
#
# Both images present -> prints so and exits 0 at once. A bootstrapped rootfs is
# kept in the cache dir (marker file) so a rebuild of the images is fast.
set -euo pipefail

START_SECONDS=$SECONDS
PG_IMAGE="${CQRSLAB_POSTGRES_IMAGE:-cqrslab-offline/postgres:15}"
REDIS_IMAGE="${CQRSLAB_REDIS_IMAGE:-cqrslab-offline/redis:7}"
CACHE_DIR="${CQRSLAB_CACHE_DIR:-${HOME:-/root}/.cache/cqrslab}"
ROOTFS="$CACHE_DIR/rootfs"
MARKER="$CACHE_DIR/rootfs.ok"
# Bump when the bootstrap/trim recipe changes, so cached rootfs are rebuilt.
RECIPE_VERSION=1
INCLUDE_PKGS="postgresql,redis-server"

log() { printf '==> %s\n' "$*"; }
die() { printf 'build-offline-images: error: %s\n' "$*" >&2; exit 1; }
elapsed() { log "done in $((SECONDS - START_SECONDS))s"; }

# The images carry a hash of this script (label cqrslab.recipe), so a changed
# recipe rebuilds them instead of keeping images made by an older one.
RECIPE_HASH="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
image_exists() {
  [ "$(docker image inspect --format '{{index .Config.Labels "cqrslab.recipe"}}' "$1" 2>/dev/null)" = "$RECIPE_HASH" ]
}

command -v docker >/dev/null 2>&1 || die "docker CLI not found"

# ---------------------------------------------------------------- fast path
need_pg=1 need_redis=1
image_exists "$PG_IMAGE" && need_pg=0
image_exists "$REDIS_IMAGE" && need_redis=0
if [ "$need_pg" = 0 ] && [ "$need_redis" = 0 ]; then
  log "images $PG_IMAGE and $REDIS_IMAGE already exist (recipe $RECIPE_HASH); nothing to do"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mknod need it)"
docker version >/dev/null 2>&1 || die "cannot talk to the Docker daemon"

mkdir -p "$CACHE_DIR"
# Serialise concurrent runs (several engineers / test runs on one machine).
exec 9>"$CACHE_DIR/build.lock"
if ! flock -n 9; then
  log "another build is running; waiting for $CACHE_DIR/build.lock"
  flock 9
fi
# Re-check after taking the lock: a concurrent run may have built them.
image_exists "$PG_IMAGE" && need_pg=0
image_exists "$REDIS_IMAGE" && need_redis=0
if [ "$need_pg" = 0 ] && [ "$need_redis" = 0 ]; then
  log "images $PG_IMAGE and $REDIS_IMAGE already exist (recipe $RECIPE_HASH); nothing to do"
  exit 0
fi

# ------------------------------------------------------------ safety helpers
# Unmount anything still mounted below $1 (deepest first).
umount_below() {
  local dir mp
  dir="$(realpath -m "$1")"
  awk '{print $5}' /proc/self/mountinfo | sort -r | while read -r mp; do
    mp="$(printf '%b' "$mp")" # mountinfo octal-escapes spaces etc.
    case "$mp" in
      "$dir" | "$dir"/*) umount -l "$mp" 2>/dev/null || true ;;
    esac
  done
}
# rm -rf that never crosses into a mount (e.g. /proc or a /dev bind mount).
safe_rm() {
  [ -e "$1" ] || return 0
  umount_below "$1"
  # (one awk, no pipe: with pipefail a grep -q that exits early would turn the
  # writer's SIGPIPE into a "not mounted" answer)
  if awk -v p="$(realpath -m "$1")/" 'index($5, p) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    die "refusing to delete $1: something is still mounted below it"
  fi
  rm -rf --one-file-system -- "$1"
}

TMP_ROOTFS=""
cleanup() {
  local rc=$?
  if [ -n "$TMP_ROOTFS" ] && [ -d "$TMP_ROOTFS" ]; then
    safe_rm "$TMP_ROOTFS" || true
  fi
  [ -d "$ROOTFS" ] && umount_below "$ROOTFS"
  if [ "$rc" != 0 ]; then
    printf 'build-offline-images: failed after %ss (exit %s)\n' "$((SECONDS - START_SECONDS))" "$rc" >&2
  fi
}
trap cleanup EXIT

# --------------------------------------------------- mirror and suite lookup
# Prints "uri<TAB>suite<TAB>signed-by<TAB>score" for every enabled binary
# ("deb") entry of the apt sources that has a "main" component and whose suite
# is a main archive suite (not -security, -updates, -backports,
# -proposed-updates). Higher score = more likely the main Debian archive.
apt_source_candidates() {
  local files=() f
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk '
    function is_main_suite(s) {
      if (s ~ /\/$/) return 0                       # flat repository
      if (s ~ /(-security|\/updates|-updates|-backports|-backports-sloppy|-proposed-updates|-proposed)$/) return 0
      return 1
    }
    function emit(uri, suite, signed, comps,   score) {
      if (uri !~ /^(https?|ftp|file):/) return
      if ((" " comps " ") !~ /[ \t]main[ \t]/) return     # the archive has "main"
      if (!is_main_suite(suite)) return
      if (uri ~ /security/) return
      score = 0
      if (uri ~ /\/debian\/?$/) score += 2
      if (signed == "" || signed ~ /debian-archive-keyring/) score += 1
      printf "%s\t%s\t%s\t%d\n", uri, suite, signed, score
    }
    function flush(   i, j, nu, ns, u, s, t, nt, isdeb) {
      if (!have) return
      have = 0
      if (tolower(f["enabled"]) == "no") { delete f; return }
      nt = split(f["types"], t, /[ \t]+/); isdeb = 0
      for (i = 1; i <= nt; i++) if (t[i] == "deb") isdeb = 1
      if (isdeb) {
        nu = split(f["uris"], u, /[ \t]+/); ns = split(f["suites"], s, /[ \t]+/)
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
          if (u[i] != "" && s[j] != "") emit(u[i], s[j], f["signed-by"], f["components"])
      }
      delete f
    }
    FNR == 1 { flush(); key = "" }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*#/) next
      if ($0 ~ /^[ \t]*$/) { flush(); key = ""; next }
      if ($0 ~ /^[ \t]/) {                             # continuation line
        if (key != "" && key != "signed-by") f[key] = f[key] " " $0
        else if (key == "signed-by") f[key] = "(inline key)"
        next
      }
      p = index($0, ":"); if (p == 0) next
      key = tolower(substr($0, 1, p - 1)); val = substr($0, p + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", val)
      f[key] = val; have = 1
      next
    }
    {                                                   # one-line format
      line = $0; sub(/#.*/, "", line)
      n = split(line, w, /[ \t]+/); i = 1
      while (i <= n && w[i] == "") i++
      if (w[i] != "deb") next
      i++
      signed = ""
      if (substr(w[i], 1, 1) == "[") {                  # [ opt=val ... ]
        opts = ""
        while (i <= n) { opts = opts " " w[i]; if (w[i] ~ /\]$/) { i++; break } ; i++ }
        if (match(opts, /signed-by=[^ \]]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
      }
      comps = ""
      for (j = i + 2; j <= n; j++) comps = comps " " w[j]
      if (i + 1 <= n) emit(w[i], w[i + 1], signed, comps)
    }
    END { flush() }
  ' "${files[@]}"
}

MIRROR="${CQRSLAB_DEBIAN_MIRROR:-}"
SUITE="${CQRSLAB_DEBIAN_SUITE:-}"
KEYRING=""
if [ -z "$MIRROR" ] || [ -z "$SUITE" ]; then
  # Best score wins; ties keep apt's own file/line order (stable sort).
  best="$(apt_source_candidates | sort -t "$(printf '\t')" -k4,4nr -s | head -n1 || true)"
  if [ -z "$best" ]; then
    die "no main Debian archive entry (deb URL suite ...) found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.{list,sources}; set CQRSLAB_DEBIAN_MIRROR and CQRSLAB_DEBIAN_SUITE"
  fi
  IFS=$'\t' read -r src_uri src_suite src_signed _ <<<"$best"
  : "${MIRROR:=$src_uri}"
  : "${SUITE:=$src_suite}"
  # Use the entry's keyring when it is a binary keyring file debootstrap can use.
  case "${src_signed:-}" in
    /*.gpg) [ -f "$src_signed" ] && KEYRING="$src_signed" ;;
  esac
fi
MIRROR="${MIRROR%/}"

# ------------------------------------------------------------- debootstrap
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends debootstrap >/dev/null
  }
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap could not be installed"
fi

# debootstrap needs a script for the suite; every Debian suite uses "sid".
DEBOOTSTRAP_SCRIPT=""
if [ ! -e "/usr/share/debootstrap/scripts/$SUITE" ]; then
  DEBOOTSTRAP_SCRIPT=/usr/share/debootstrap/scripts/sid
fi

recipe="version=$RECIPE_VERSION mirror=$MIRROR suite=$SUITE include=$INCLUDE_PKGS"
if [ -f "$MARKER" ] && [ -d "$ROOTFS" ] && [ "$(cat "$MARKER")" = "$recipe" ]; then
  log "reusing bootstrapped rootfs $ROOTFS ($SUITE from $MIRROR)"
else
  rm -f "$MARKER"
  safe_rm "$ROOTFS"
  TMP_ROOTFS="$(mktemp -d "$CACHE_DIR/rootfs.tmp.XXXXXX")"
  chmod 0755 "$TMP_ROOTFS"
  log "debootstrap $SUITE from $MIRROR (minbase + $INCLUDE_PKGS) into $TMP_ROOTFS"
  bootstrap_start=$SECONDS
  keyring_args=()
  [ -n "$KEYRING" ] && keyring_args=(--keyring="$KEYRING")
  # debootstrap itself puts a policy-rc.d (exit 101) and a fake
  # start-stop-daemon in place while it configures packages, so no service
  # (postgresql, redis) is started inside the rootfs during the bootstrap.
  # A clean environment keeps the host's locale and other settings out of the chroot.
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    TERM=dumb LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    ${http_proxy:+http_proxy="$http_proxy"} ${https_proxy:+https_proxy="$https_proxy"} \
    debootstrap --variant=minbase --include="$INCLUDE_PKGS" \
    "${keyring_args[@]}" "$SUITE" "$TMP_ROOTFS" "$MIRROR" $DEBOOTSTRAP_SCRIPT \
    >"$CACHE_DIR/debootstrap.log" 2>&1 || {
      tail -n 30 "$CACHE_DIR/debootstrap.log" >&2
      die "debootstrap failed; full log: $CACHE_DIR/debootstrap.log"
    }
  umount_below "$TMP_ROOTFS"

  log "trimming rootfs"
  (
    cd "$TMP_ROOTFS"
    # The Debian package auto-creates cluster 15/main; the entrypoint runs
    # initdb itself into $PGDATA, so drop it (and its config).
    rm -rf var/lib/postgresql/* etc/postgresql/*
    # Snakeoil TLS key generated at install time: never bake a private key in.
    rm -f etc/ssl/private/ssl-cert-snakeoil.key etc/ssl/certs/ssl-cert-snakeoil.pem
    # apt lists/caches, docs, man/info pages, translations, locale sources.
    rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb \
      var/cache/apt/archives/partial/* var/cache/debconf/*-old var/lib/dpkg/*-old
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
    find usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
    rm -rf usr/share/man/* usr/share/info/* usr/share/lintian usr/share/linda \
      usr/share/postgresql/*/man usr/share/i18n/charmaps usr/share/i18n/locales
    find usr/share/locale -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + 2>/dev/null || true
    # PostgreSQL JIT (LLVM, ~120 MB): not needed for the lab; without the
    # provider library the server simply runs with JIT unavailable.
    rm -rf usr/lib/postgresql/*/lib/llvmjit.so usr/lib/postgresql/*/lib/llvmjit_types.bc \
      usr/lib/postgresql/*/lib/bitcode
    rm -f usr/lib/*-linux-gnu/libLLVM-*.so* usr/lib/*-linux-gnu/libz3.so*
    find var/log -type f -exec truncate -s 0 {} + 2>/dev/null || true
    rm -rf tmp/* var/tmp/* root/.bash_history
    # Like Debian's official container images: never start services from
    # package scripts if someone apt-get installs inside a container.
    printf '#!/bin/sh\nexit 101\n' >usr/sbin/policy-rc.d
    chmod 0755 usr/sbin/policy-rc.d
  )
  mv "$TMP_ROOTFS" "$ROOTFS"
  TMP_ROOTFS=""
  printf '%s\n' "$recipe" >"$MARKER"
  log "rootfs ready: $(du -sh --one-file-system "$ROOTFS" | cut -f1) (bootstrap + trim took $((SECONDS - bootstrap_start))s)"
fi

pg_major="$(ls "$ROOTFS/usr/lib/postgresql" 2>/dev/null | sort -V | tail -n1)"
[ -n "$pg_major" ] && [ -x "$ROOTFS/usr/lib/postgresql/$pg_major/bin/postgres" ] \
  || die "no PostgreSQL server found in $ROOTFS"
[ -x "$ROOTFS/usr/bin/redis-server" ] || die "no redis-server found in $ROOTFS"
[ -x "$ROOTFS/usr/bin/setpriv" ] || die "setpriv (util-linux) missing from $ROOTFS"
case "$PG_IMAGE" in *:"$pg_major") ;; *) log "note: rootfs has PostgreSQL $pg_major, image tag is $PG_IMAGE" ;; esac

# ------------------------------------------------------------- entrypoints
log "writing entrypoints"
install -d -m 0755 "$ROOTFS/usr/local/bin" "$ROOTFS/docker-entrypoint-initdb.d"
install -d -m 0700 "$ROOTFS/var/lib/postgresql/data"
install -d -m 3777 "$ROOTFS/run/postgresql"
install -d -m 0755 "$ROOTFS/data"
chroot "$ROOTFS" chown postgres:postgres /var/lib/postgresql /var/lib/postgresql/data /run/postgresql
chroot "$ROOTFS" chown redis:redis /data

cat >"$CACHE_DIR/docker-entrypoint.sh" <<'PGENTRY'
#!/bin/bash
# PostgreSQL entrypoint compatible with the official postgres image's contract.
set -Eeo pipefail

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
export PATH="$PG_BIN:$PATH"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

# file_env VAR [DEFAULT]: VAR or VAR_FILE (docker secrets), like the official image.
file_env() {
  local var="$1" fileVar="${1}_FILE" def="${2:-}" val
  if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"; exit 1
  fi
  val="$def"
  if [ "${!var:-}" ]; then val="${!var}"; elif [ "${!fileVar:-}" ]; then val="$(<"${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}

# "postgres -c x=y", "-c x=y" or nothing -> run the server with those args.
if [ "$#" -eq 0 ] || [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi
if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' + 2>/dev/null || true
  chmod 00700 "$PGDATA"
  chmod 03775 /var/run/postgresql
  # Drop to the postgres user and re-run this script. setpriv (util-linux,
  # essential) keeps the environment and does no PAM/session handling.
  export HOME=/var/lib/postgresql USER=postgres LOGNAME=postgres
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

mkdir -p "$PGDATA" 2>/dev/null || true
chmod 00700 "$PGDATA" 2>/dev/null || true

# The image holds a cluster made at build time (marked .cqrslab-template):
# initdb is most of a start, and a lab's PostgreSQL should answer within a
# second or two. When the settings fit it (password auth, no initdb args, no
# init scripts), only the role, its password and the database are made, in
# single-user mode; otherwise it is thrown away and initdb runs as below.
if [ -e "$PGDATA/.cqrslab-template" ]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  if [ -n "$POSTGRES_PASSWORD" ] && [ -z "$POSTGRES_INITDB_ARGS" ] &&
    [ "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" = scram-sha-256 ] &&
    [ -z "$(ls -A /docker-entrypoint-initdb.d 2>/dev/null)" ]; then
    lit() { local v="${1//\'/\'\'}"; printf "'%s'" "$v"; }
    ident() { local v="${1//\"/\"\"}"; printf '"%s"' "$v"; }
    if [ "$POSTGRES_USER" = postgres ]; then
      sql="ALTER ROLE postgres PASSWORD $(lit "$POSTGRES_PASSWORD");"
    else
      sql="CREATE ROLE $(ident "$POSTGRES_USER") SUPERUSER LOGIN PASSWORD $(lit "$POSTGRES_PASSWORD");"
    fi
    if [ "$POSTGRES_DB" != postgres ]; then
      sql+=$'\n'"CREATE DATABASE $(ident "$POSTGRES_DB") OWNER $(ident "$POSTGRES_USER");"
    fi
    printf '%s\n' "$sql" |
      postgres --single -D "$PGDATA" -F -c exit_on_error=on -c listen_addresses= postgres >/dev/null
    rm -f "$PGDATA/.cqrslab-template"
  else
    rm -rf "${PGDATA:?}"/* "$PGDATA/.cqrslab-template"
  fi
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOE
    exit 1
  fi

  initdb_args=(--username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD")
  if [ -n "$POSTGRES_PASSWORD" ]; then
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb_args+=(--pwfile="$pwfile")
  fi
  # The server was asked to run without fsync ("-c fsync=off"): durability is
  # explicitly not wanted, so skip initdb's final sync too (seconds on slow disks).
  for a in "${@:2}"; do
    case "$a" in *fsync=off | *fsync=false | *fsync=0) initdb_args+=(--no-sync) ;; esac
  done
  # shellcheck disable=SC2206 # word splitting of POSTGRES_INITDB_ARGS is intended
  extra=($POSTGRES_INITDB_ARGS)
  initdb "${initdb_args[@]}" "${extra[@]}"
  [ -n "${pwfile:-}" ] && rm -f "$pwfile"

  {
    echo
    echo "host all all 0.0.0.0/0 $POSTGRES_HOST_AUTH_METHOD"
    echo "host all all ::/0 $POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  # Temporary server on the unix socket only, to create the database and run
  # /docker-entrypoint-initdb.d scripts.
  server_opts=""
  [ "$#" -gt 1 ] && server_opts="$(printf '%q ' "${@:2}")"
  pg_ctl -D "$PGDATA" -w start \
    -o "$server_opts-c listen_addresses='' -p ${PGPORT:-5432}"
  export PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD" PGHOST=/var/run/postgresql
  psql=(psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc)
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    exists="$("${psql[@]}" --dbname postgres -tA --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
    if [ -z "$exists" ]; then
      "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
      echo "created database $POSTGRES_DB"
    fi
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then echo "running $f"; "$f"; else echo "sourcing $f"; . "$f"; fi ;;
      *.sql) echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *) echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD PGUSER PGHOST
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
fi

shift # "postgres"
exec postgres "$@"
PGENTRY

cat >"$CACHE_DIR/redis-entrypoint.sh" <<'REDISENTRY'
#!/bin/bash
# Redis entrypoint compatible with the official redis image's contract.
set -e

# "", "--flag ..." or "/path/redis.conf ..." -> redis-server with those args.
if [ "$#" -eq 0 ] || [ "${1:0:1}" = '-' ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
  shift
  conf=()
  if [ "$#" -gt 0 ] && [ "${1:0:1}" != '-' ]; then conf=("$1"); shift; fi
  # has OPTION: given on the command line or set in the config file?
  has() {
    local opt="$1" a; shift
    for a in "$@"; do [ "$a" = "--$opt" ] && return 0; done
    [ "${#conf[@]}" -gt 0 ] && [ -f "${conf[0]}" ] && grep -qiE "^[[:space:]]*$opt[[:space:]]" "${conf[0]}" && return 0
    return 1
  }
  defaults=()
  has bind "$@" || defaults+=(--bind 0.0.0.0)
  has protected-mode "$@" || defaults+=(--protected-mode no)
  has daemonize "$@" || defaults+=(--daemonize no)
  set -- redis-server "${conf[@]}" "${defaults[@]}" "$@"

  if [ "$(id -u)" = '0' ]; then
    # Drop to the redis user (like the official image does with gosu).
    find . \! -user redis -exec chown redis '{}' + 2>/dev/null || true
    umask 0077
    export HOME=/var/lib/redis USER=redis LOGNAME=redis
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
  umask 0077
fi

exec "$@"
REDISENTRY
# Copy only when changed: an untouched rootfs gives a byte-identical tar, so
# an image rebuilt later still shares its layer with the other image.
for f in docker-entrypoint.sh redis-entrypoint.sh; do
  if ! cmp -s "$CACHE_DIR/$f" "$ROOTFS/usr/local/bin/$f"; then
    install -m 0755 "$CACHE_DIR/$f" "$ROOTFS/usr/local/bin/$f"
  fi
  rm -f "$CACHE_DIR/$f"
done

# ------------------------------------------------------------- docker images
# Each image is a `docker import` of the same tar stream (identical bytes, so
# Docker stores the ~200 MB layer once) with its metadata as --change lines.
# docker import cannot set STOPSIGNAL, so postgres gets one legacy-builder
# step on top (FROM <local image id>: nothing is resolved against a registry).
umount_below "$ROOTFS"
import_rootfs() { # import_rootfs [--change X]... [TAG] -> prints the image id
  tar --numeric-owner --one-file-system -C "$ROOTFS" -cf - . | docker import "$@"
}

if [ "$need_pg" = 1 ]; then
  log "importing $PG_IMAGE (PostgreSQL $pg_major)"
  pg_base="$(import_rootfs \
    --change "ENV PG_MAJOR=$pg_major" \
    --change "ENV PATH=/usr/lib/postgresql/$pg_major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.opencontainers.image.title=\"cqrslab offline postgres\" cqrslab.debian.suite=\"$SUITE\"" \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --change 'EXPOSE 5432' \
    -)" || die "docker import of $PG_IMAGE failed"
  # The template cluster (see the entrypoint): initdb at build time, as the
  # postgres user, without fsync and with 1 MB WAL segments (less to copy up
  # into a container's layer); no network needed (--network none).
  template="$(printf '%s' \
    'd=/var/lib/postgresql/data && setpriv --reuid=postgres --regid=postgres --init-groups ' \
    'env HOME=/var/lib/postgresql initdb -D "$d" --username=postgres --encoding=UTF8 --locale=C.UTF-8 ' \
    '--auth-local=trust --auth-host=scram-sha-256 --no-sync --wal-segsize=1 >/dev/null && ' \
    'printf "\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n" >>"$d/pg_hba.conf" && ' \
    'echo "listen_addresses = '"'*'"'" >>"$d/postgresql.conf" && ' \
    'touch "$d/.cqrslab-template" && chown postgres:postgres "$d/.cqrslab-template"')"
  if ! out="$(printf 'FROM %s\nSTOPSIGNAL SIGINT\nRUN ["/bin/bash", "-c", %s]\nLABEL cqrslab.recipe=%s\n' \
    "$pg_base" "$(printf '%s' "$template" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')" "$RECIPE_HASH" |
    DOCKER_BUILDKIT=0 docker build --network none -q -t "$PG_IMAGE" - 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "docker build of $PG_IMAGE failed"
  fi
fi
if [ "$need_redis" = 1 ]; then
  log "importing $REDIS_IMAGE"
  import_rootfs \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.opencontainers.image.title=\"cqrslab offline redis\" cqrslab.debian.suite=\"$SUITE\" cqrslab.recipe=\"$RECIPE_HASH\"" \
    --change 'WORKDIR /data' \
    --change 'ENTRYPOINT ["/usr/local/bin/redis-entrypoint.sh"]' \
    --change 'CMD ["redis-server"]' \
    --change 'EXPOSE 6379' \
    - "$REDIS_IMAGE" >/dev/null || die "docker import of $REDIS_IMAGE failed"
fi

for img in "$PG_IMAGE" "$REDIS_IMAGE"; do
  log "$img: $(docker image inspect --format '{{.Id}} {{.Size}}' "$img" | awk '{printf "%s %.0f MB", substr($1,8,12), $2/1e6}')"
done
elapsed
