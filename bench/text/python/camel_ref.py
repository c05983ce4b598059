"""Reference side of the safir-text harnesses, on CAMeL Tools' utilities.

  normalize        lines on stdin -> dediac_ar, normalize_alef_ar,
                   normalize_alef_maksura_ar, normalize_teh_marbuta_ar
  bench FILE       the same four over the lines of FILE; MB/s per core =
                   UTF-8 bytes / thread CPU time, best of 3
"""
import sys
import time

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)


def camel(s):
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s))))


def main():
    if sys.argv[1] == "normalize":
        out = sys.stdout
        for line in sys.stdin:
            out.write(camel(line.rstrip("\n")))
            out.write("\n")
    elif sys.argv[1] == "bench":
        with open(sys.argv[2], encoding="utf-8") as f:
            lines = f.read().split("\n")
        mb = sum(len(l.encode("utf-8")) + 1 for l in lines) / 1e6
        best = float("inf")
        for _ in range(3):
            t = time.thread_time()
            for l in lines:
                camel(l)
            best = min(best, time.thread_time() - t)
        print(f"camel normalization      {mb / best:8.1f} MB/s")
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()
