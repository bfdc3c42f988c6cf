"""mallcore benchmarks: mallcore and its peers measured side by side in one run.

Run them with ``make bench`` (``python -m benchmarks``). Each ``bench_*.py``
module exposes ``run(quick: bool) -> list[Workload]``.
"""
