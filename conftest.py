"""Keep pytest's doctest collection away from files that are not library code."""

collect_ignore = ["docs/conf.py", "benchmarks", "setup.py"]
