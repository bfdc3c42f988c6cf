"""Adapters for the storage ports of :mod:`mallcore.ports`.

Import the adapter module you need (``mallcore.adapters.memory`` for tests and
notebooks); this package imports none of them, so adapters for optional back-ends
never load their libraries unless asked.
"""

__all__: list[str] = []
