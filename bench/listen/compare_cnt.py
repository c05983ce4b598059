#!/usr/bin/env python3
"""Side-by-side run of Safir's listening engine and the coordination-network-toolkit.

Installs coordination-network-toolkit 1.5.2 from the Python package index into a
virtual environment under a temporary directory, generates a deterministic
archive, runs both tools on it with the same parameters, times every step, and
compares the networks edge for edge (self-loops excluded).

Every difference must be explained by a known toolkit bug; the script says
which, and exits non-zero if a difference is left unexplained.

Usage (from the repository root):
    python3 bench/listen/compare_cnt.py --messages 100000 --window 60 --min-weight 1
    python3 bench/listen/compare_cnt.py --messages 1000000 --kinds co_similar_tweet

`--kinds` restricts both tools to some networks (the toolkit's preprocess, which
every network needs, always runs and is reported as its import step); `--cnt`
uses an existing `compute_networks` instead of installing one. The one-minute
load average is sampled every 5 s while each tool runs and reported with the
times, since other work on the machine inflates wall-clock figures.

Environment: CARGO_TARGET_DIR is honoured (default: target).
"""

import argparse
import csv
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

KINDS = ["co_retweet", "co_tweet", "co_similar_tweet", "co_link", "co_reply", "co_post"]
CNT_VERSION = "1.5.2"


def run(cmd, tmp: Path, **kw):
    """Wall-clock and CPU seconds of a command and all its descendants.

    The toolkit computes in a process pool that it never joins, so the rusage of
    waited-for children misses most of its work; `perf stat` (inherited task
    clock) counts every descendant. Without perf, rusage is the fallback.
    """
    stat = tmp / "perf-stat.txt"
    if shutil.which("perf"):
        cmd = ["perf", "stat", "-x,", "-e", "task-clock", "-o", str(stat)] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if stat.exists():
        for line in stat.read_text().splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("task-clock"):
                cpu = float(fields[0]) / 1000
        stat.unlink()
    return wall, cpu


class LoadSampler:
    """One-minute load average every few seconds, while a step runs."""

    def __init__(self, every=5.0):
        self.every = every
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while True:
            try:
                self.samples.append(float(open("/proc/loadavg").read().split()[0]))
            except OSError:
                return
            if self.stop.wait(self.every):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def summary(self):
        if not self.samples:
            return "n/a"
        s = self.samples
        return f"min {min(s):.1f}, mean {sum(s) / len(s):.1f}, max {max(s):.1f}"


def install_cnt(tmp: Path) -> Path:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", f"coordination-network-toolkit=={CNT_VERSION}"], check=True)
    return venv / "bin" / "compute_networks"


def build_safir(repo: Path) -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", repo / "target"))
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "safir-listen", "--examples"],
        check=True,
        cwd=repo,
    )
    return target / "release" / "examples"


def read_edges(path: Path):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["user_1"], r["user_2"]): int(r["weight"]) for r in csv.DictReader(f)}


def cnt_edges(db: Path, kind: str):
    # The toolkit's own CSV export fails in 1.5.2 (it passes `n_messages` to a
    # function that does not take it), so the edges are read from its table.
    con = sqlite3.connect(db)
    rows = con.execute(f"select user_1, user_2, weight from {kind}_network where user_1 != user_2")
    return {(str(a), str(b)): int(w) for a, b, w in rows}


def cnt_co_link_without_empty_urls(db: Path, window: int, min_weight: int):
    """The toolkit's own co_link query, with the empty-URL rows left out."""
    con = sqlite3.connect(db)
    rows = con.execute(
        """
        select e_1.user_id, e_2.user_id, count(distinct e_1.message_id) as weight
        from message_url e_1
        inner join message_url e_2
            on e_1.url = e_2.url
            and e_2.timestamp between e_1.timestamp - ?1 and e_1.timestamp + ?1
        where e_1.url != '' and e_1.user_id != e_2.user_id
        group by e_1.user_id, e_2.user_id
        having weight >= ?2
        """,
        (window, min_weight),
    )
    return {(str(a), str(b)): int(w) for a, b, w in rows}


def compare(ours, theirs):
    only_ours = {k for k in ours if k not in theirs}
    only_theirs = {k for k in theirs if k not in ours}
    weight = {k for k in ours if k in theirs and ours[k] != theirs[k]}
    return only_ours, only_theirs, weight


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--min-weight", type=int, default=1)
    ap.add_argument("--similarity", default="0.8")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--cnt", help="an existing compute_networks executable (skips the install)")
    args = ap.parse_args()
    kinds = args.kinds.split(",")
    repo = Path(__file__).resolve().parents[2]

    with tempfile.TemporaryDirectory(prefix="listen-cnt-") as tmp:
        tmp = Path(tmp)
        cnt = Path(args.cnt) if args.cnt else install_cnt(tmp)
        examples = build_safir(repo)
        data = tmp / "messages.csv"
        # ASCII words without hashtags: text both tools tokenize the same way.
        subprocess.run(
            [str(examples / "listen_gen"), str(args.messages), str(data), "--ascii", "--no-hashtags", "--seed", str(args.seed)],
            check=True,
        )
        load = " ".join(open("/proc/loadavg").read().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"
        ours_dir = tmp / "ours"
        ours_dir.mkdir()
        safir_load = LoadSampler()
        with safir_load:
            out = subprocess.run(
                [str(examples / "listen_bench"), str(data), "--window", str(args.window),
                 "--min-weight", str(args.min_weight), "--similarity", args.similarity,
                 "--kinds", ",".join(kinds), "--edges-dir", str(ours_dir)],
                check=True, capture_output=True, text=True,
            ).stdout
        ours_time = {}
        for line in out.splitlines():
            step, wall, cpu = line.split("\t")[:3]
            ours_time[step] = (float(wall), float(cpu))

        db = tmp / "cnt.db"
        quiet = dict(stdout=subprocess.DEVNULL)
        cnt_load = LoadSampler()
        with cnt_load:
            cnt_time = {"import": run([str(cnt), str(db), "preprocess", "--format", "csv", str(data)], tmp, **quiet)}
            for kind in kinds:
                cmd = [str(cnt), str(db), "compute", kind, "--time_window", str(args.window),
                       "--min_edge_weight", str(args.min_weight)]
                if kind == "co_similar_tweet":
                    cmd += ["--similarity_threshold", args.similarity]
                cnt_time[kind] = run(cmd, tmp, **quiet)

        print(f"messages: {args.messages} generated (+ planted), window {args.window} s, "
              f"min weight {args.min_weight}, similarity {args.similarity}")
        print(f"load average before the run: {load}")
        print(f"load average (1 min, every 5 s) during Safir's steps: {safir_load.summary()}; "
              f"during CNT's: {cnt_load.summary()}")
        print(f"{'step':<18}{'safir wall':>11}{'CNT wall':>10}{'ratio':>8}{'safir CPU':>11}{'CNT CPU':>10}{'ratio':>8}")
        steps = ["import"] + kinds
        ours_time["total"] = tuple(sum(ours_time[s][i] for s in steps) for i in (0, 1))
        cnt_time["total"] = tuple(sum(cnt_time[s][i] for s in steps) for i in (0, 1))
        for step in steps + ["total"]:
            (ow, oc), (cw, cc) = ours_time[step], cnt_time[step]
            print(f"{step:<18}{ow:>11.3f}{cw:>10.3f}{cw / max(ow, 1e-9):>8.1f}{oc:>11.2f}{cc:>10.2f}{cc / max(oc, 0.01):>8.1f}")
        print()

        unexplained = 0
        print(f"{'network':<18}{'safir':>10}{'CNT':>10}{'same':>10}  differences")
        for kind in kinds:
            ours = read_edges(ours_dir / f"{kind}.csv")
            theirs = cnt_edges(db, kind)
            only_ours, only_theirs, weight = compare(ours, theirs)
            same = len(ours) - len(only_ours) - len(weight)
            note = "none"
            if only_ours or only_theirs or weight:
                note = f"{len(only_ours)} only in Safir, {len(only_theirs)} only in CNT, {len(weight)} weights differ"
                if kind == "co_link":
                    fixed = cnt_co_link_without_empty_urls(db, args.window, args.min_weight)
                    if not any(compare(ours, fixed)):
                        note += "; all explained: CNT links messages with an empty URL field (empty string after splitting on ' ')"
                    else:
                        unexplained += 1
                else:
                    unexplained += 1
                    for k in sorted(only_ours | only_theirs | weight)[:5]:
                        note += f"\n    {k}: safir {ours.get(k)}, CNT {theirs.get(k)}"
            print(f"{kind:<18}{len(ours):>10}{len(theirs):>10}{same:>10}  {note}")
        if unexplained:
            print(f"\n{unexplained} network(s) with unexplained differences")
            sys.exit(1)


if __name__ == "__main__":
    main()
