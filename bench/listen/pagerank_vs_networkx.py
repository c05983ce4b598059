#!/usr/bin/env python3
"""PageRank on the interaction graph of a generated archive: Safir and networkx side by side.

Builds the release examples, generates an archive of N messages (unless --input
is given), runs `listen_influence` on it (import, graph build, PageRank, degrees,
betweenness on the top-k subgraph, each timed; it writes the graph's edge list
and its PageRank scores), then loads the same edge list into a networkx DiGraph
and times `nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-6, max_iter=100)`.
Compares every node's score (they must agree within 1e-6, else the script fails)
and prints both times and the ratio.

Usage (from the repository root):
    python3 bench/listen/pagerank_vs_networkx.py --messages 1000000

Needs networkx with numpy and scipy. Environment: CARGO_TARGET_DIR is honoured
(default: target).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--input", help="an existing archive instead of a generated one")
    ap.add_argument("--k", type=int, default=200, help="betweenness subgraph size")
    ap.add_argument("--tolerance", type=float, default=1e-6)
    args = ap.parse_args()

    import networkx as nx

    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    examples = target / "release" / "examples"
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "safir-listen",
         "--example", "listen_gen", "--example", "listen_influence"],
        check=True,
    )
    with tempfile.TemporaryDirectory(prefix="safir-pagerank-") as tmp:
        tmp = Path(tmp)
        if args.input:
            archive = Path(args.input)
        else:
            archive = tmp / "messages.csv"
            start = time.perf_counter()
            subprocess.run([str(examples / "listen_gen"), str(args.messages), str(archive)], check=True)
            print(f"generated {args.messages} messages in {time.perf_counter() - start:.1f} s")

        graph_file, scores_file = tmp / "graph.txt", tmp / "scores.txt"
        out = subprocess.run(
            [str(examples / "listen_influence"), str(archive), "--k", str(args.k),
             "--graph", str(graph_file), "--scores", str(scores_file)],
            check=True, capture_output=True, text=True,
        ).stdout
        safir = dict(line.split(" ", 1) for line in out.splitlines())

        start = time.perf_counter()
        G = nx.DiGraph()
        with open(graph_file) as f:
            n = int(f.readline().split()[1])
            G.add_nodes_from(range(n))
            G.add_weighted_edges_from(
                (int(s), int(t), float(w)) for _, s, t, w in (line.split() for line in f)
            )
        nx_build = time.perf_counter() - start

        start = time.perf_counter()
        pr = nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-6, max_iter=100)
        nx_pagerank = time.perf_counter() - start

        ours = [float(line) for line in scores_file.read_text().split()]
        if len(ours) != G.number_of_nodes():
            print(f"FAIL: {len(ours)} scores for {G.number_of_nodes()} nodes")
            return 1
        worst = max(abs(ours[v] - pr[v]) for v in range(len(ours)))

    print(f"messages {safir['messages']}, accounts {safir['nodes']}, edges {safir['edges']}")
    print(f"{'step':<34}{'Safir s':>10}{'networkx s':>12}{'ratio':>9}")
    print(f"{'import archive':<34}{float(safir['import']):>10.3f}{'':>12}{'':>9}")
    print(f"{'build graph (from table / edges)':<34}{float(safir['graph']):>10.3f}{nx_build:>12.3f}{'':>9}")
    ratio = nx_pagerank / max(float(safir["pagerank"]), 1e-9)
    print(f"{'PageRank':<34}{float(safir['pagerank']):>10.4f}{nx_pagerank:>12.4f}{ratio:>8.1f}x")
    print(f"{'degrees':<34}{float(safir['degrees']):>10.4f}")
    print(f"{'betweenness, top ' + safir['bridge_k'] + ' subgraph':<34}{float(safir['betweenness']):>10.4f}")
    print(f"largest |Safir - networkx| PageRank difference: {worst:.3e}")
    if worst >= args.tolerance:
        print(f"FAIL: scores differ by more than {args.tolerance}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
