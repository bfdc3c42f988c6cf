"""Adapters: the implementations of mallcore's ports, outside the domain.

- :mod:`mallcore.adapters.memory`: every storage port in memory
  (:class:`~mallcore.adapters.memory.InMemoryDatabase` and its units of
  work), for tests and notebooks.
- :mod:`mallcore.adapters.sql`: every storage port on SQL, SQLite as the
  embedded default and PostgreSQL for production (extras ``sql``, ``postgres``).
- :mod:`mallcore.adapters.redis`: flash-sale stock counters and purchase
  limits in Redis (extra ``redis``).
- :mod:`mallcore.adapters.sandbox_payment`: a deterministic in-memory
  :class:`~mallcore.ports.payment.PaymentGateway` that signs its notifications
  like a real provider, with injectable faults.
- :mod:`mallcore.adapters.sandbox_carrier`: a deterministic in-memory
  :class:`~mallcore.shipping.carriers.Carrier` with injectable faults.
- :mod:`mallcore.adapters.template_carrier`: a carrier that quotes from the
  mall's freight templates and books through another carrier.

Adapters depend on the domain, never the other way round. Import the adapter
module you need (``from mallcore.adapters.sandbox_carrier import SandboxCarrier``);
this package imports none of them, so adapters for optional back-ends never load
their libraries unless asked.
"""

__all__: list[str] = []
