"""Repository ports of orders and of the catalog's products."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mallcore.orders.order import Order
from mallcore.sku.catalog import Product

__all__ = ["OrderRepository", "ProductRepository"]


@runtime_checkable
class OrderRepository(Protocol):
    """Port: keep orders, with an optimistic version check on every save.

    Contract (:class:`~mallcore.testing.contracts.OrderRepositoryContract`):
    ``get`` returns an order equal in every field to the one saved, never the
    caller's own object; ``add`` refuses a number that exists
    (:class:`~mallcore.errors.StorageError`); ``save`` replaces the stored
    order only while it is still at *expected_version* (the version the
    caller read), else raises :class:`~mallcore.errors.ConflictError` and
    changes nothing: of two processes paying one order, one saves and the
    other learns it lost.
    """

    def add(self, order: Order) -> None:
        """Store a newly placed order. StorageError if its number is taken."""
        ...

    def get(self, number: str) -> Order | None:
        """The stored order, or None."""
        ...

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order if it is still at *expected_version*; else ConflictError."""
        ...

    def numbers(self, *, state: str | None = None, customer_id: str | None = None) -> list[str]:
        """Order numbers (oldest first), optionally only those in *state* or of a customer."""
        ...


@runtime_checkable
class ProductRepository(Protocol):
    """Port: keep the catalog's products (SPUs) with their SKUs.

    Contract (:class:`~mallcore.testing.contracts.ProductRepositoryContract`):
    ``get`` returns a product with the same fields and SKUs as the one saved;
    ``add`` refuses an id that exists; ``save`` replaces a stored product;
    ``product_of`` finds the product of a SKU id.
    """

    def add(self, product: Product) -> None:
        """Store a new product. StorageError if its id (or one of its SKU ids) is taken."""
        ...

    def get(self, product_id: str) -> Product | None:
        """The stored product, or None."""
        ...

    def save(self, product: Product) -> None:
        """Replace a stored product (after an edit). StorageError if it is not stored."""
        ...

    def all(self) -> list[Product]:
        """Every product, by id."""
        ...

    def product_of(self, sku_id: str) -> Product | None:
        """The product that has the SKU *sku_id*, or None."""
        ...
