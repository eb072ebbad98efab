#!/usr/bin/env bash
# Makes the README's pictures from real runs, so they can be made again
# rather than edited by hand:
#   docs/images/learn-walk.png  the Learn walk between the INSERT and the ZADD
#   docs/images/lab-fault.png   the Lab under load with 50 ms of Redis latency
#   docs/images/latency-spike-latency.png  experiment --plot, every policy
# The TUI runs in tmux at 100x30; `tmux capture-pane -e` keeps its colours and
# scripts/ansipng draws them (DejaVu Sans Mono where installed, Go Mono else).
# A lab is started for each part, on this machine's provider and images
# (the same choice `cqrslab doctor` reports), in a state directory of its
# own, and removed on every exit. Re-running changes only timestamps and
# measured values.
#
#   scripts/screenshots.sh            (needs tmux, Docker with images or local servers)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
mkdir -p "$out"
work=$(mktemp -d)
sock="cqrslab-shots-$$"
export CQRSLAB_STATE_DIR="$work/state"
mkdir -m 0700 "$CQRSLAB_STATE_DIR"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  # the TUI tears its lab down on quit; this catches an interrupted run
  "$work/cqrslab" cleanup >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$work/cqrslab" .
go build -o "$work/ansipng" ./scripts/ansipng

cols=100 rows=30
start() { # start NAME ARGS...: the TUI in its own tmux session
  tmux -L "$sock" new-session -d -s "$1" -x "$cols" -y "$rows" \
    "env COLORTERM=truecolor $work/cqrslab ${*:2} --no-animation"
}
screen() { tmux -L "$sock" capture-pane -p -t "$1"; }
keys() { tmux -L "$sock" send-keys -t "$1" "${@:2}"; }
wait_for() { # wait_for SESSION TEXT SECONDS
  local deadline=$(($(date +%s) + $3))
  until [[ "$(screen "$1")" == *"$2"* ]]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "screenshots: \"$2\" did not appear within $3 s; the screen was:" >&2
      screen "$1" >&2
      exit 1
    fi
    sleep 0.2
  done
}
shoot() { # shoot SESSION FILE
  tmux -L "$sock" capture-pane -e -p -t "$1" | "$work/ansipng" -cols "$cols" -rows "$rows" >"$out/$2"
  echo "wrote $out/$2"
}
quit() {
  keys "$1" q
  for _ in $(seq 1 300); do tmux -L "$sock" has-session -t "$1" 2>/dev/null || return 0; sleep 0.2; done
  echo "screenshots: $1 did not quit within 60 s" >&2
  exit 1
}

# The Learn walk, paused between the commit and the ZADD.
start learn
wait_for learn "Your progress" 20
keys learn Enter
wait_for learn "Learn" 10
keys learn Enter
wait_for learn "paused before validate" 180
keys learn Enter
wait_for learn "Paused before postgres.insert" 30
keys learn Enter
wait_for learn "in PostgreSQL, not in Redis yet" 30
shoot learn learn-walk.png
quit learn

# The Lab under load while Redis answers 50 ms late.
start lab
wait_for lab "Your progress" 20
keys lab 2
wait_for lab "l load" 180
keys lab l
sleep 3
keys lab f
sleep 0.5
keys lab l
sleep 6
shoot lab lab-fault.png
keys lab f
sleep 0.5
keys lab h
sleep 1
quit lab

# The latency-spike experiment over every policy, as the plot draws it.
# (exit 1 means a run did not pass: still a true picture, and the point of
# the chart; anything else is a failure to make it)
set +e
"$work/cqrslab" experiment --scenario latency-spike --policy all --duration 8s --plot "$work/plots" >"$work/experiment.out" 2>&1
status=$?
set -e
if [ "$status" -gt 1 ]; then
  cat "$work/experiment.out" >&2
  exit 1
fi
cp "$work/plots/latency-spike-latency.png" "$out/"
echo "wrote $out/latency-spike-latency.png"
