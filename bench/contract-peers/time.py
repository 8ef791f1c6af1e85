#!/usr/bin/env python3
"""Whole-process timing without hyperfine: run each command RUNS times (after WARMUP runs),
print the median, min and max wall-clock milliseconds. WARMUP (environment) defaults to 2.
Usage: time.py RUNS NAME -- CMD ... [;; NAME -- CMD ...]"""
import os
import statistics, subprocess, sys, time

def main():
    runs, rest = int(sys.argv[1]), sys.argv[2:]
    groups, current = [], []
    for arg in rest + [";;"]:
        if arg == ";;":
            if current:
                groups.append(current)
            current = []
        else:
            current.append(arg)
    for group in groups:
        name, cmd = group[0], group[2:]
        for _ in range(int(os.environ.get("WARMUP", "2"))):
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name}\tmedian {statistics.median(times):.1f} ms\tmin {min(times):.1f}\tmax {max(times):.1f}\truns {runs}")

main()
