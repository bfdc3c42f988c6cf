"""A small timeit-style harness and the ratio table every benchmark prints.

``measure`` calibrates an inner loop to about ``target_s`` per repeat (like
``timeit.Timer.autorange``), runs several repeats and keeps the median. GC
stays on (engines allocate; turning it off would flatter them) but a full
collection runs before each measurement.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TARGET_S = float(os.environ.get("BENCH_TARGET_S", "0.2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


@dataclass(frozen=True)
class Timing:
    """Median and best seconds per operation."""

    median_s: float
    min_s: float

    @property
    def ops_per_s(self) -> float:
        return 1.0 / self.median_s if self.median_s else float("inf")


def measure(
    fn: Callable[[], object], *, ops_per_call: int = 1, target_s: float | None = None
) -> Timing:
    """Time ``fn()``; return the per-op median and minimum over the repeats."""
    target = TARGET_S if target_s is None else target_s
    perf = time.perf_counter
    gc.collect()
    fn()  # warm-up: imports, caches, first-call costs
    inner = 1
    while True:
        start = perf()
        for _ in range(inner):
            fn()
        elapsed = perf() - start
        if elapsed >= target or inner >= 1_000_000:
            break
        inner = int(inner * min(10.0, max(2.0, target / max(elapsed, 1e-9) * 1.1))) + 1
    samples = [elapsed / (inner * ops_per_call)]
    for _ in range(REPEATS - 1):
        start = perf()
        for _ in range(inner):
            fn()
        samples.append((perf() - start) / (inner * ops_per_call))
    return Timing(statistics.median(samples), min(samples))


@dataclass(frozen=True)
class Target:
    """A promise about the subject: ``peer_time / subject_time >= at_least``.

    ``at_least`` below 1 expresses "within N× of the peer": 1/3 means the
    subject may be at most three times slower than *peer*. ``max_seconds``
    bounds the subject's own time instead when *peer* is empty.
    """

    peer: str
    at_least: float = 1.0
    max_seconds: float | None = None
    label: str = ""


@dataclass
class Workload:
    """One workload: the subject (mallcore) and its peers, measured in one run."""

    name: str
    subject: str
    timings: dict[str, Timing] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ratio(self, peer: str) -> float:
        """How many times faster the subject is than *peer* (> 1: faster)."""
        return self.timings[peer].median_s / self.timings[self.subject].median_s

    def check(self, target: Target) -> tuple[bool, str]:
        """Evaluate *target*; return (met, description)."""
        subject = self.timings[self.subject]
        if not target.peer:
            limit = target.max_seconds or 0.0
            met = subject.median_s <= limit
            return met, f"{target.label or 'time'} {_fmt_s(subject.median_s)} <= {_fmt_s(limit)}"
        ratio = self.ratio(target.peer)
        if target.at_least >= 1:
            want = f">= {target.at_least:g}x faster than {target.peer}"
        else:
            want = f"within {1 / target.at_least:g}x of {target.peer}"
        return ratio >= target.at_least, f"{want}: {_ratio_text(ratio)}"


def _fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.2f}x faster" if ratio >= 1 else f"{1 / ratio:.2f}x slower"


def render(workloads: list[Workload]) -> tuple[str, bool]:
    """Return the Markdown table of all workloads and whether every target was met."""
    out = [
        "| workload | implementation | time/op | ops/s | mallcore vs this |",
        "|---|---|---|---|---|",
    ]
    all_met = True
    checks: list[str] = []
    for workload in workloads:
        for impl, timing in workload.timings.items():
            mark = "**" if impl == workload.subject else ""
            ratio = "1.00x" if impl == workload.subject else _ratio_text(workload.ratio(impl))
            out.append(
                f"| {workload.name} | {mark}{impl}{mark} | {_fmt_s(timing.median_s)} "
                f"| {timing.ops_per_s:,.0f} | {ratio} |"
            )
        for target in workload.targets:
            met, text = workload.check(target)
            all_met &= met
            checks.append(f"- [{'met' if met else 'MISSED'}] {workload.name}: {text}")
        checks.extend(f"- note: {workload.name}: {note}" for note in workload.notes)
    return "\n".join([*out, "", *checks]), all_met
