"""Where the running threads of benches/stacks/run.sh's samples were.

    python3 benches/stacks/summary.py OUT [hedui|leaf|REGEX]

hedui: the innermost hedui function of each running stack (polars' if none);
leaf: the innermost function; REGEX: the innermost frame matching it, with
the three frames it called. A thread waiting (futex, poll, a blocking read)
is not running and is counted apart.
"""
import collections
import re
import sys

WAITING = re.compile(r"futex|^syscall$|poll|epoll_wait|nanosleep|pthread_cond_wait|sched_yield|__lll_lock_wait|^read$|__libc_read")


def clean(name):
    return re.sub(r"::h[0-9a-f]{16}$", "", re.sub(r"\[[0-9a-f]+\]", "", name))


def main(path, mode="hedui"):
    counts, running, waiting = collections.Counter(), 0, 0
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 1)
        if len(parts) < 2:
            continue
        frames = [clean(f) for f in parts[1].split(";")]
        if any(WAITING.search(f) for f in frames[-3:]):
            waiting += 1
            continue
        running += 1
        if mode == "leaf":
            counts[frames[-1]] += 1
        elif mode == "hedui":
            ours = [f for f in frames if f.startswith(("hedui::", "<hedui"))]
            theirs = next((f for f in reversed(frames) if "polars" in f), frames[-1])
            counts[ours[-1] if ours else "polars: " + theirs] += 1
        else:
            pattern = re.compile(mode)
            hits = [i for i, f in enumerate(frames) if pattern.search(f)]
            if hits:
                counts[" > ".join(frames[hits[-1] : hits[-1] + 4])] += 1
    print(f"running thread stacks: {running}; waiting: {waiting}")
    for key, n in counts.most_common(40):
        print(f"{n:5d} {100 * n / max(running, 1):5.1f}%  {key[:220]}")


if __name__ == "__main__":
    main(*sys.argv[1:])
