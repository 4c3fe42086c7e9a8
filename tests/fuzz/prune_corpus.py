#!/usr/bin/env python3
"""Keeps each committed corpus small: at most MAX_FILES files and MAX_BYTES.

Hand-written seeds (readable names) always stay; inputs added by a libFuzzer
merge (named by their SHA-1) are kept smallest first, which follows the order
in which a merge adds them (each one brought new coverage on top of the smaller
ones), so the ones dropped are the last and most specific.
    python3 tests/fuzz/prune_corpus.py [target...]      (default: all)
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MAX_FILES = 200
MAX_BYTES = 1 << 20


def merged(name):
    return len(name) == 40 and all(c in "0123456789abcdef" for c in name)


def prune(target):
    d = os.path.join(ROOT, target)
    files = [(os.path.getsize(os.path.join(d, f)), f) for f in os.listdir(d)]
    seeds = [f for f in files if not merged(f[1])]
    count, total = len(seeds), sum(s for s, _ in seeds)
    removed = 0
    for size, name in sorted(f for f in files if merged(f[1])):
        if count < MAX_FILES and total + size <= MAX_BYTES:
            count += 1
            total += size
        else:
            os.remove(os.path.join(d, name))
            removed += 1
    print("%-20s %4d files %8d bytes (%d removed)" % (target, count, total, removed))


if __name__ == "__main__":
    for t in sys.argv[1:] or sorted(os.listdir(ROOT)):
        prune(t)
