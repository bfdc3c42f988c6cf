"""Exceptions raised by mallcore.

Every exception mallcore raises on purpose derives from :class:`MallcoreError`.
Where a built-in exception already names the problem, the mallcore class also
derives from it, so ``except ValueError`` keeps working for callers::

    MallcoreError
    ├── ConfigError (ValueError)              rule, catalog or settings data is invalid
    │   └── UnknownCurrencyError              a currency code py-moneyed does not know
    ├── PricingError
    │   ├── CurrencyMismatchError (TypeError) two currencies met in one operation
    │   ├── InvalidAmountError (ValueError)   NaN, infinite, negative or over-precise amount
    │   ├── UndeliverableError                a line cannot be shipped to the address
    │   └── ZeroPaymentError                  a quote came to zero where that is not allowed
    ├── InventoryError
    │   └── InsufficientStockError            a reservation does not fit the available stock
    ├── OrderError
    │   └── InvalidTransitionError            a state machine refused an action
    └── PortError                             raised by adapters only
        ├── StorageError
        └── CarrierError
"""

from __future__ import annotations

__all__ = [
    "CarrierError",
    "ConfigError",
    "CurrencyMismatchError",
    "InsufficientStockError",
    "InvalidAmountError",
    "InvalidTransitionError",
    "InventoryError",
    "MallcoreError",
    "OrderError",
    "PortError",
    "PricingError",
    "StorageError",
    "UndeliverableError",
    "UnknownCurrencyError",
    "ZeroPaymentError",
]


class MallcoreError(Exception):
    """Base class for every exception that mallcore raises on purpose."""


class ConfigError(MallcoreError, ValueError):
    """Rule, catalog or settings data failed validation.

    Common causes: a promotion, freight template or SKU with a missing or
    malformed field, an unknown SKU in a cart, a quantity below one. The
    message names the field and the value.
    """


class UnknownCurrencyError(ConfigError):
    """A currency code that py-moneyed does not know (``"RMB"`` instead of ``"CNY"``)."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"Unknown currency code {code!r}: use an ISO 4217 code such as 'CNY'.")


class PricingError(MallcoreError):
    """Base class for errors raised while computing amounts."""


class CurrencyMismatchError(PricingError, TypeError):
    """Two amounts in different currencies met in one operation.

    mallcore never converts between currencies implicitly: convert first, or
    price the cart in the currency its SKUs are priced in.
    """

    def __init__(self, left: str, right: str, *, context: str = "") -> None:
        self.left = left
        self.right = right
        where = f" ({context})" if context else ""
        super().__init__(f"Cannot combine amounts in {left} and {right}{where}.")


class InvalidAmountError(PricingError, ValueError):
    """An amount is NaN, infinite, negative where it must not be, or more precise than its currency.

    Common causes: a price typed as ``"9.999"`` in CNY (two decimals allowed),
    a float that was turned into Decimal, or empty weights passed to
    :func:`mallcore.money.allocate`.
    """


class UndeliverableError(PricingError):
    """A cart line cannot be shipped to the address (the template lists it in ``no_delivery``)."""

    def __init__(self, sku: str, region: str, *, template: str = "") -> None:
        self.sku = sku
        self.region = region
        self.template = template
        via = f" (freight template {template!r})" if template else ""
        super().__init__(f"SKU {sku!r} cannot be delivered to region {region!r}{via}.")


class ZeroPaymentError(PricingError):
    """A quote came to zero and the context does not set ``allow_zero_payment``."""


class InventoryError(MallcoreError):
    """Base class for stock-keeping errors."""


class InsufficientStockError(InventoryError):
    """A reservation or deduction asked for more units than are available."""

    def __init__(self, sku: str, requested: int, available: int) -> None:
        self.sku = sku
        self.requested = requested
        self.available = available
        super().__init__(
            f"Not enough stock for SKU {sku!r}: asked for {requested}, {available} available."
        )


class OrderError(MallcoreError):
    """Base class for errors in the order life cycle."""


class InvalidTransitionError(OrderError):
    """A state machine was asked to do something its current state forbids."""

    def __init__(self, subject: str, state: str, action: str) -> None:
        self.subject = subject
        self.state = state
        self.action = action
        super().__init__(f"Can't {action} {subject!r} while it is {state}.")


class PortError(MallcoreError):
    """Base class for errors raised by adapters (storage, payment, carriers)."""


class StorageError(PortError):
    """A storage adapter failed; the backend's exception is chained."""


class CarrierError(PortError):
    """A carrier adapter failed (timeout, rejection); the backend's exception is chained."""
