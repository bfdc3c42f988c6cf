"""Keep pytest's doctest collection away from files that are not library code."""

collect_ignore = [
    "docs/conf.py",
    "benchmarks",
    "setup.py",
    # Alembic runs it inside a migration; imported alone it has no context.
    "src/mallcore/adapters/sql/_migrations/env.py",
]
