"""Tools for testing code that uses mallcore: Hypothesis strategies and adapter contract tests.

Importing this package needs ``hypothesis`` (``pip install mallcore[test]``).
"""
