#!/usr/bin/env python3
"""Measure what the Lab screen costs under load, from outside and inside.

Runs the built binary in tmux (100x30 unless told), opens the Lab, starts
the load at 500 writes/s, then presses `a` (the next author) and times each
press from send-keys to the moment tmux's copy of the screen shows the new
author in the Lab's title line. The
program itself records, with CQRSLAB_TUI_STATS, how long its UI goroutine
worked (every Update and View) and how long each key took from Update to
the View showing it. Both are printed, with the machine's load average,
because this is a shared and noisy machine and a figure means little
without it.

    go build -o cqrslab . && scripts/measure-tui.py --infra local

Needs tmux and Python 3 (standard library only). Leaves nothing running:
it quits the program with q, waits for the teardown, and kills the tmux
session if the program did not end.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], check=check, capture_output=True, text=True).stdout


def screen(session):
    return tmux("capture-pane", "-p", "-t", session, check=False)


def wait_for(session, predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = screen(session)
        if predicate(s):
            return
        if "start the lab again" in s:  # the Lab's key after a failed start
            sys.exit(f"measure-tui: the lab did not start; the screen says why:\n{s}")
        time.sleep(0.05)
    sys.exit(f"measure-tui: gave up waiting for {what} after {timeout}s; the screen was:\n{screen(session)}")


AUTHORS = ["alice", "bob", "carol", "dave"]  # the Lab's authors, in the order `a` visits them


def author_shown(name):
    # The Lab's first line ends "author <name>", in every layout.
    return lambda s: s.splitlines()[0].rstrip().endswith("author " + name) if s else False


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    # A timeout's SIGTERM ends the run through the finally below, which
    # removes the tmux session (and so the program and its lab).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("measure-tui: stopped"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default="./cqrslab", help="the built cqrslab (default ./cqrslab)")
    ap.add_argument("--infra", default="auto", help="lab provider: auto, docker, local (default auto)")
    ap.add_argument("--size", default="100x30", help="terminal size, WxH (default 100x30)")
    ap.add_argument("--presses", type=int, default=40, help="key presses to time (default 40)")
    ap.add_argument("--warm", type=float, default=8, help="seconds of load before timing (default 8)")
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"measure-tui: {args.binary} is not an executable; build it first: go build -o cqrslab .")
    w, h = args.size.split("x")

    stats_file = tempfile.NamedTemporaryFile(prefix="cqrslab-tui-stats-", suffix=".json", delete=False).name
    session = f"cqrslab-measure-{os.getpid()}"
    cmd = f"env CQRSLAB_TUI_STATS={stats_file} {os.path.abspath(args.binary)} --infra {args.infra}"
    tmux("new-session", "-d", "-s", session, "-x", w, "-y", h, cmd)
    try:
        wait_for(session, lambda s: "Quiz" in s and "Learn" in s, 30, "the home screen")
        tmux("send-keys", "-t", session, "2")
        wait_for(session, lambda s: "Lab up" in s or "Faults · f then" in s or "1 Stores" in s, 300, "the lab to start")
        tmux("send-keys", "-t", session, "l")
        wait_for(session, lambda s: "Load: 500/s" in s, 20, "the load at 500/s")
        time.sleep(args.warm)
        pid = tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
        cpu_from = cpu_seconds(pid)
        load_from = time.time()

        external = []
        for i in range(args.presses):
            name = AUTHORS[(i + 1) % len(AUTHORS)]
            shown = author_shown(name)
            t0 = time.monotonic()
            tmux("send-keys", "-t", session, "a")
            while not shown(screen(session)):
                if time.monotonic() - t0 > 5:
                    sys.exit(f"measure-tui: a did not show author {name} within 5s")
            external.append((time.monotonic() - t0) * 1000)
            time.sleep(0.25)
        tmux("send-keys", "-t", session, "4")  # the Load pane, where the layout has tabs
        time.sleep(0.3)
        last_second = next((l.strip(" │") for l in screen(session).splitlines() if "last second:" in l), "?")
        load_to = time.time()
        cpu_to = cpu_seconds(pid)
        loadavg = os.getloadavg()

        tmux("send-keys", "-t", session, "l")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "q")
        end = time.monotonic() + 120
        while time.monotonic() < end and subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        try:
            with open(stats_file) as f:
                st = json.load(f)
        except (OSError, ValueError):
            st = {}
        os.unlink(stats_file)

    baseline = tmux_baseline(args.size, args.presses)

    # The UI goroutine's busy time over the samples taken while the load ran.
    samples = st.get("samples") or []
    window = [s for s in samples if load_from - 1 <= to_epoch(s["at"]) <= load_to + 1]
    if len(window) >= 2:
        a, b = window[0], window[-1]
        secs = to_epoch(b["at"]) - to_epoch(a["at"])
        busy = (b["busy_ns"] - a["busy_ns"]) / 1e9
        fps = (b["views"] - a["views"]) / secs
        dropped = b["dropped"] - a["dropped"]
        events = b["events"] - a["events"]
    else:
        secs = busy = fps = 0
        dropped = events = 0
    keys = [d / 1e6 for d in st.get("key_to_view_ns") or []][-args.presses:]

    print(f"terminal {args.size}, infra {args.infra}, load average {loadavg[0]:.2f} {loadavg[1]:.2f} {loadavg[2]:.2f}")
    print(f"load on screen at the end: {last_second}")
    if secs:
        print(f"UI goroutine (Update+View) while loaded: {busy / secs * 100:.1f}% of one core over {secs:.0f}s; "
              f"{fps:.1f} frames/s; {events} engine events taken in; {dropped} dropped")
    if cpu_from is not None and cpu_to is not None:
        print(f"whole process (load generator, engine, clients and UI): {(cpu_to - cpu_from) / (load_to - load_from) * 100:.0f}% of one core")
    print(f"key to screen, via tmux ({len(external)} presses): median {statistics.median(external):.1f} ms, "
          f"p90 {pct(external, 90):.1f} ms, max {max(external):.1f} ms; over 100 ms: {sum(1 for x in external if x > 100)}")
    print(f"the same through tmux to `cat` (the instrument alone): median {statistics.median(baseline):.1f} ms, "
          f"max {max(baseline):.1f} ms")
    if keys:
        print(f"key to View inside the program ({len(keys)}): median {statistics.median(keys):.2f} ms, max {max(keys):.2f} ms")


def cpu_seconds(pid):
    """User plus system CPU time of a process, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def tmux_baseline(size, presses):
    """Key to screen for `cat` in tmux: what tmux and the polling cost
    without cqrslab, measured the same way, right after."""
    w, h = size.split("x")
    session = f"cqrslab-baseline-{os.getpid()}"
    tmux("new-session", "-d", "-s", session, "-x", w, "-y", h, "cat")
    out = []
    try:
        time.sleep(0.3)
        for i in range(presses):
            before = screen(session)
            t0 = time.monotonic()
            tmux("send-keys", "-t", session, "-l", "ab"[i % 2])
            while screen(session) == before:
                if time.monotonic() - t0 > 5:
                    sys.exit("measure-tui: the tmux baseline did not see its key")
            out.append((time.monotonic() - t0) * 1000)
            if i % 40 == 39:
                tmux("send-keys", "-t", session, "Enter")
            time.sleep(0.05)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return out


def to_epoch(ts):
    """Seconds since the epoch for Go's RFC 3339 time with nanoseconds."""
    from datetime import datetime
    head, _, rest = ts.partition(".")
    frac, zone = rest, ""
    for i, c in enumerate(rest):
        if not c.isdigit():
            frac, zone = rest[:i], rest[i:]
            break
    if not rest:
        head, zone = ts[:19], ts[19:]
    zone = "+00:00" if zone in ("Z", "") else zone
    return datetime.fromisoformat(head + zone).timestamp() + float("0." + (frac or "0"))


if __name__ == "__main__":
    main()
