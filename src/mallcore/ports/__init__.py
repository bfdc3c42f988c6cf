"""Storage ports: the Protocols that adapters in :mod:`mallcore.adapters` implement."""

from mallcore.ports.inventory import InventoryStore

__all__ = ["InventoryStore"]
