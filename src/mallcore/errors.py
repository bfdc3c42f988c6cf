"""Exceptions raised by mallcore.

Every exception mallcore raises on purpose derives from :class:`MallcoreError`.
Where a built-in exception already names the problem, the mallcore class also
derives from it, so ``except ValueError`` keeps working for callers::

    MallcoreError
    ├── ConfigError (ValueError)              rule, catalog or settings data is invalid
    │   ├── RulesValidationError              a rule file's problems, each with its JSON path
    │   ├── UnknownCurrencyError              a currency code py-moneyed does not know
    │   └── UnknownRegionError                a malformed or unknown region code
    ├── PricingError
    │   ├── CurrencyMismatchError (TypeError) two currencies met in one operation
    │   ├── InvalidAmountError (ValueError)   NaN, infinite, negative or over-precise amount
    │   ├── UndeliverableError                a line cannot be shipped to the address
    │   └── ZeroPaymentError                  a quote came to zero where that is not allowed
    ├── InventoryError
    │   ├── InsufficientStockError            a reservation does not fit the available stock
    │   ├── ReservationStateError             a reservation's state forbids the action
    │   └── UnknownReservationError (LookupError)  no reservation has that id
    ├── OrderError
    │   ├── InvalidTransitionError            a state machine refused an action
    │   └── PaymentMismatchError              a payment of another amount or currency
    └── PortError                             raised by adapters only
        ├── StorageError
        └── CarrierError
            ├── CarrierRejectedError          the carrier refused a quote or a shipment
            ├── CarrierTimeoutError (TimeoutError)  the carrier did not answer in time
            ├── UnknownStatusCodeError (LookupError)  a raw tracking code with no mapping
            └── UnknownTrackingNumberError (LookupError)  the carrier has no such waybill
"""

from __future__ import annotations

import copy

__all__ = [
    "CarrierError",
    "CarrierRejectedError",
    "CarrierTimeoutError",
    "ConfigError",
    "CurrencyMismatchError",
    "InsufficientStockError",
    "InvalidAmountError",
    "InvalidTransitionError",
    "InventoryError",
    "MallcoreError",
    "OrderError",
    "PaymentMismatchError",
    "PortError",
    "PricingError",
    "ReservationStateError",
    "RulesValidationError",
    "StorageError",
    "UndeliverableError",
    "UnknownCurrencyError",
    "UnknownRegionError",
    "UnknownReservationError",
    "UnknownStatusCodeError",
    "UnknownTrackingNumberError",
    "ZeroPaymentError",
]


class MallcoreError(Exception):
    """Base class for every exception that mallcore raises on purpose.

    Every mallcore error pickles with its message and its attributes (``sku``,
    ``problems``, ...), so it survives a process pool or a task queue, even
    when its constructor takes other arguments than the message.

    An error about one field of a value says which in ``field`` (a name or a
    dotted path such as ``tiers[1].amount_off``), with the ``value`` it got and
    the ``reason`` it was refused; all three are None for other errors.
    """

    field: str | None = None
    value: object = None
    reason: str | None = None

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(
    cls: type[MallcoreError], args: tuple[object, ...], state: dict[str, object]
) -> MallcoreError:
    """Rebuild a pickled error without calling its constructor (see ``__reduce__``)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigError(MallcoreError, ValueError):
    """Rule, catalog or settings data failed validation.

    Common causes: a promotion, freight template or SKU with a missing or
    malformed field, an unknown SKU in a cart, a quantity below one. The
    message names the field and the value.
    """


class RulesValidationError(ConfigError):
    """A rule or scenario file failed validation; ``problems`` lists each one with its JSON path.

    Common causes: a misspelt key (unknown keys are refused), a float where an
    exact amount is expected, a ``kind`` mallcore does not know.
    """

    def __init__(self, what: str, problems: list[str]) -> None:
        self.what = what
        self.problems = problems
        super().__init__(f"invalid {what}: " + "; ".join(problems))


class UnknownCurrencyError(ConfigError):
    """A currency code that py-moneyed does not know (``"RMB"`` instead of ``"CNY"``)."""

    def __init__(self, code: object) -> None:
        self.code = code
        self.field = "currency"
        self.value = code
        self.reason = "is not an ISO 4217 code; use one such as 'CNY'"
        super().__init__(f"Unknown currency code {code!r}: use an ISO 4217 code such as 'CNY'.")


class UnknownRegionError(ConfigError):
    """A region code that is malformed or not in mallcore's bundled region table.

    Common causes: a Chinese division code of the wrong length (``"4403051"``),
    a city that does not exist (``"4499"``), or a country that is not an
    ISO 3166-1 alpha-2 code (``"UK"`` instead of ``"GB"``).
    """

    def __init__(self, code: object, reason: str) -> None:
        self.code = code
        # The value itself is the field: a problem line shows it under its own path.
        self.field = ""
        self.value = code
        self.reason = reason
        super().__init__(f"region={code!r} {reason}")


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


class ReservationStateError(InventoryError):
    """A stock reservation was asked to do something its current state forbids.

    Common causes: committing (paying) a reservation that was already
    released or expired (the order side then flags the payment for refund),
    releasing a reservation that was already committed (return the units with
    a restock instead), or reusing a reservation id for different lines.
    """

    def __init__(self, reservation_id: str, state: str, action: str) -> None:
        self.reservation_id = reservation_id
        self.state = state
        self.action = action
        super().__init__(f"Can't {action} reservation {reservation_id!r} while it is {state}.")


class UnknownReservationError(InventoryError, LookupError):
    """No stock reservation has this id (never reserved, or reserved in another store)."""

    def __init__(self, reservation_id: str) -> None:
        self.reservation_id = reservation_id
        super().__init__(f"No reservation with id {reservation_id!r}.")


class OrderError(MallcoreError):
    """Base class for errors in the order life cycle."""


class InvalidTransitionError(OrderError):
    """A state machine was asked to do something its current state forbids; nothing changed.

    ``subject``, ``state`` and ``action`` say what was refused, ``why`` the
    reason ('' when the state alone forbids it).
    """

    def __init__(self, subject: str, state: str, action: str, *, why: str = "") -> None:
        self.subject = subject
        self.state = state
        self.action = action
        self.why = why
        tail = f": {why}." if why else "."
        super().__init__(f"Can't {action} {subject!r} while it is {state}{tail}")


class PaymentMismatchError(OrderError):
    """An order was paid another amount, or in another currency, than its payable amount.

    Nothing changed: the order is still unpaid. ``order_number``, ``expected``
    and ``received`` say which order and both amounts.
    """

    def __init__(self, order_number: str, expected: object, received: object) -> None:
        self.order_number = order_number
        self.expected = expected
        self.received = received
        super().__init__(
            f"Order {order_number!r} must be paid {expected}, not {received}; nothing changed."
        )


class PortError(MallcoreError):
    """Base class for errors raised by adapters (storage, payment, carriers)."""


class StorageError(PortError):
    """A storage adapter failed; the backend's exception is chained."""


class CarrierError(PortError):
    """A carrier adapter failed (timeout, rejection); the backend's exception is chained."""


class CarrierTimeoutError(CarrierError, TimeoutError):
    """The carrier did not answer in time.

    The request may or may not have reached the carrier: retry
    ``create_shipment`` with the *same* idempotency key, which returns the
    waybill if the first attempt went through and never creates a second one.
    """

    def __init__(self, carrier: str, operation: str) -> None:
        self.carrier = carrier
        self.operation = operation
        super().__init__(f"Carrier {carrier!r} did not answer {operation}() in time.")


class CarrierRejectedError(CarrierError):
    """The carrier refused a quote or a shipment; ``reason`` says why in its words.

    Common causes: an address the carrier does not serve, an unknown service,
    an idempotency key reused for a different shipment.
    """

    def __init__(self, carrier: str, reason: str) -> None:
        self.carrier = carrier
        self.reason = reason
        super().__init__(f"Carrier {carrier!r} rejected the request: {reason}")


class UnknownStatusCodeError(CarrierError, LookupError):
    """A carrier sent a raw tracking code that its status table does not map.

    Add the code to the adapter's status table (see
    :class:`mallcore.shipping.tracking.StatusCodeTable`) rather than guessing a status.
    """

    def __init__(self, carrier: str, code: str) -> None:
        self.carrier = carrier
        self.code = code
        super().__init__(f"Carrier {carrier!r} sent tracking code {code!r}, which has no status.")


class UnknownTrackingNumberError(CarrierError, LookupError):
    """The carrier has no waybill with this tracking number."""

    def __init__(self, carrier: str, tracking_no: str) -> None:
        self.carrier = carrier
        self.tracking_no = tracking_no
        super().__init__(f"Carrier {carrier!r} has no waybill with tracking_no={tracking_no!r}.")


# --------------------------------------------------------------------------- field errors


def invalid(
    field: str, value: object, reason: str, error: type[MallcoreError] = ConfigError
) -> MallcoreError:
    """An *error* whose message reads ``field=value reason``, with those three as attributes.

    *error* is a mallcore error class whose constructor takes the message
    (:class:`~mallcore.errors.ConfigError`, :class:`~mallcore.errors.InvalidAmountError`).

    >>> str(invalid("quantity", 0, "must be at least 1"))
    'quantity=0 must be at least 1'
    """
    exc = error(f"{field}={shown(value)} {reason}")
    exc.field = field
    exc.value = value
    exc.reason = reason
    return exc


def shown(value: object) -> str:
    """*value* as an error message shows it: Money as its amount text, anything else as repr."""
    amount, currency = getattr(value, "amount", None), getattr(value, "currency", None)
    if amount is not None and currency is not None and hasattr(currency, "code"):
        return repr(str(amount))  # py-moneyed Money, without importing it here
    return repr(value)


def nested(prefix: str, exc: MallcoreError) -> MallcoreError:
    """*exc* moved under *prefix*: ``field`` becomes ``prefix.field`` (or ``prefix[i]...``).

    The message is rebuilt with the longer path; the error keeps its class and
    its other attributes (a copy: *exc* itself is unchanged).
    """
    field, reason = exc.field, exc.reason
    if field is None or reason is None:
        return exc
    if not field:
        joined = prefix
    elif field.startswith("["):
        joined = f"{prefix}{field}"
    else:
        joined = f"{prefix}.{field}"
    moved = copy.copy(exc)
    moved.args = (f"{joined}={shown(exc.value)} {reason}",)
    moved.field = joined
    return moved
