"""Exceptions raised by mallcore.

Every exception mallcore raises on purpose derives from :class:`MallcoreError`.
Where a built-in exception already names the problem, the mallcore class also
derives from it, so ``except ValueError`` keeps working for callers::

    MallcoreError
    ├── ConfigError (ValueError)              rule, catalog or settings data is invalid
    │   ├── HistoryRowError                   a bad row of a cart history, with its row number
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
    │   ├── PurchaseLimitError                a customer would buy more than a per-customer limit
    │   ├── ReservationStateError             a reservation's state forbids the action
    │   └── UnknownReservationError (LookupError)  no reservation has that id
    ├── OrderError
    │   ├── AfterSaleWindowError              a no-reason return asked for after its window
    │   ├── InvalidTransitionError            a state machine refused an action
    │   └── PaymentMismatchError              a payment of another amount or currency
    ├── MembershipError
    │   └── InsufficientPointsError           a redemption above the usable balance
    ├── CouponError
    │   ├── CouponLimitError                  a claim beyond a coupon's total or per-customer limit
    │   ├── CouponStateError                  a held coupon's state forbids the action
    │   └── UnknownCouponError (LookupError)  no coupon is held under that code
    └── PortError                             raised by adapters only
        ├── StorageError
        │   ├── ConflictError                 an optimistic write lost: someone saved first
        │   ├── StorageUnavailableError       the connection was lost; the unit of work was undone
        │   ├── SchemaVersionError            the database's schema is newer than this mallcore
        │   └── NotAMallcoreDatabaseError     a corrupt file, or another application's database
        ├── PaymentError
        │   ├── PaymentDeclinedError          the provider refused a payment or a refund
        │   ├── PaymentTimeoutError (TimeoutError)  the provider did not answer in time
        │   ├── RefundExceedsPaymentError     a refund above what is left of the paid amount
        │   ├── UnknownPaymentError (LookupError)  the provider has no such payment
        │   └── PaymentNotificationError      a notification that must not be believed
        │       ├── ForgedSignatureError      its signature does not match its content
        │       ├── MalformedNotificationError (ValueError)  missing headers, unreadable body
        │       ├── ReplayedNotificationError  its nonce was accepted before
        │       ├── StaleNotificationError    its timestamp is too far from now
        │       └── TamperedNotificationError  signed, but not the payment it names
        └── CarrierError
            ├── CarrierRejectedError          the carrier refused a quote or a shipment
            ├── CarrierTimeoutError (TimeoutError)  the carrier did not answer in time
            ├── UnknownStatusCodeError (LookupError)  a raw tracking code with no mapping
            └── UnknownTrackingNumberError (LookupError)  the carrier has no such waybill
"""

from __future__ import annotations

import copy

__all__ = [
    "AfterSaleWindowError",
    "CarrierError",
    "CarrierRejectedError",
    "CarrierTimeoutError",
    "ConfigError",
    "ConflictError",
    "CouponError",
    "CouponLimitError",
    "CouponStateError",
    "CurrencyMismatchError",
    "ForgedSignatureError",
    "HistoryRowError",
    "InsufficientPointsError",
    "InsufficientStockError",
    "InvalidAmountError",
    "InvalidTransitionError",
    "InventoryError",
    "MalformedNotificationError",
    "MallcoreError",
    "MembershipError",
    "NotAMallcoreDatabaseError",
    "OrderError",
    "PaymentDeclinedError",
    "PaymentError",
    "PaymentMismatchError",
    "PaymentNotificationError",
    "PaymentTimeoutError",
    "PortError",
    "PricingError",
    "PurchaseLimitError",
    "RefundExceedsPaymentError",
    "ReplayedNotificationError",
    "ReservationStateError",
    "RulesValidationError",
    "SchemaVersionError",
    "StaleNotificationError",
    "StorageError",
    "StorageUnavailableError",
    "TamperedNotificationError",
    "UndeliverableError",
    "UnknownCouponError",
    "UnknownCurrencyError",
    "UnknownPaymentError",
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


class HistoryRowError(ConfigError):
    """A row of a cart history (what-if input) is bad: its number, column and value say where."""

    def __init__(self, row: int, column: str, value: object, reason: str) -> None:
        self.row = row
        self.field = column
        self.value = value
        self.reason = reason
        super().__init__(f"row {row}: {column}={value!r} {reason}")


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


class PurchaseLimitError(InventoryError):
    """A customer asked for more units than a per-customer limit (限购) leaves them.

    ``sku``, ``customer``, ``requested``, ``limit`` and ``bought`` (the units the
    customer holds already) say which limit and by how much. Units of an order that
    is given back (cancelled, unpaid) stop counting, so the customer may buy again.
    """

    def __init__(self, sku: str, customer: str, requested: int, limit: int, bought: int) -> None:
        self.sku = sku
        self.customer = customer
        self.requested = requested
        self.limit = limit
        self.bought = bought
        super().__init__(
            f"Customer {customer!r} can't buy {requested} more of SKU {sku!r}: "
            f"the limit is {limit} per customer and {bought} are bought already."
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


class AfterSaleWindowError(OrderError):
    """A no-reason return (七天无理由) was asked for after its window closed; nothing changed.

    ``order_number``, ``closed_at`` (when the window closed) and ``at`` (when
    the case was asked for) say which order and both instants.
    """

    def __init__(self, order_number: str, closed_at: object, at: object) -> None:
        self.order_number = order_number
        self.closed_at = closed_at
        self.at = at
        super().__init__(
            f"Order {order_number!r}: the no-reason return window closed at {closed_at};"
            f" asked at {at}."
        )


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


class MembershipError(MallcoreError):
    """Base class for the errors of members' accounts and points ledgers."""


class InsufficientPointsError(MembershipError):
    """A redemption (or a negative adjustment) asked for more points than the member can use.

    ``balance`` is the member's balance: a negative one is debt left by a
    clawback, which blocks every redemption until new points pay it off.
    """

    def __init__(self, member_id: str, requested: int, balance: int) -> None:
        self.member_id = member_id
        self.requested = requested
        self.balance = balance
        why = (
            f"the balance is {balance} (debt from a clawback blocks redemptions)"
            if balance < 0
            else f"{balance} available"
        )
        super().__init__(f"Member {member_id!r} can't spend {requested} points: {why}.")


class PortError(MallcoreError):
    """Base class for errors raised by adapters (storage, payment, carriers)."""


class StorageError(PortError):
    """A storage adapter failed; the backend's exception is chained."""


class ConflictError(StorageError):
    """An optimistic write lost: the stored version moved on since it was read.

    Nothing was written. Read the object again, redo the change and save it;
    this is how two processes paying one order end with exactly one payment.
    """

    @classmethod
    def lost_update(cls, kind: str, key: str, stored: int, expected: int) -> ConflictError:
        """A save of *kind* *key* at version *expected* found version *stored*."""
        return cls(
            f"{kind} {key!r} is at version {stored}, not {expected}: someone saved it since "
            "it was read; read it again and redo the change"
        )

    @classmethod
    def lost_append(cls, member_id: str, stored: int, expected: int) -> ConflictError:
        """An append after *expected* ledger entries found *stored* entries."""
        return cls(
            f"member {member_id!r} has {stored} ledger entries, not {expected}: someone "
            "appended since they were read; read them again"
        )


class StorageUnavailableError(StorageError):
    """The database could not be reached, or the connection broke during a unit of work.

    The database rolled the whole unit of work back: nothing of it was stored.
    Retry it with the same idempotency key once the database is back.
    """


class SchemaVersionError(StorageError):
    """The database's schema is not one this mallcore knows (a newer release migrated it).

    mallcore refuses to read or write it rather than guess; upgrade mallcore,
    or restore a backup made before the newer release ran.
    """


class NotAMallcoreDatabaseError(StorageError):
    """The file or database is not a mallcore store: corrupt, or another application's."""


class CouponError(MallcoreError):
    """Base class for errors of held coupons (claims, locks, use)."""


class CouponLimitError(CouponError):
    """A claim would go beyond a coupon template's total quantity or per-customer limit."""

    def __init__(self, template_id: str, customer_id: str, limit: str, value: int) -> None:
        self.template_id = template_id
        self.customer_id = customer_id
        self.limit = limit
        self.value = value
        what = (
            f"all {value} coupons are claimed"
            if limit == "total_quantity"
            else f"the customer holds {value}, the most per customer"
        )
        super().__init__(
            f"Customer {customer_id!r} can't claim coupon {template_id!r}: "
            f"{what} ({limit}={value})."
        )


class CouponStateError(CouponError):
    """A held coupon was asked to do something its state forbids; nothing changed."""

    def __init__(self, code: str, state: str, action: str, why: str = "") -> None:
        self.code = code
        self.state = state
        self.action = action
        tail = f": {why}" if why else ""
        super().__init__(f"Can't {action} coupon {code!r} while it is {state}{tail}.")


class UnknownCouponError(CouponError, LookupError):
    """No coupon is held under this code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"No coupon is held under code {code!r}.")


def _amount_text(value: object) -> str:
    """*value* as a payment message shows it: ``100.00 CNY`` for Money, else its repr."""
    amount, currency = getattr(value, "amount", None), getattr(value, "currency", None)
    code = getattr(currency, "code", None)
    return f"{amount} {code}" if amount is not None and code is not None else repr(value)


class PaymentError(PortError):
    """A payment gateway adapter failed or refused; the provider's exception is chained.

    Bad input to a gateway, such as a :class:`~mallcore.ports.payment.PaymentRequest`
    without an idempotency key, is a :exc:`ConfigError` (or an
    :exc:`InvalidAmountError`) instead, raised when the value is built.
    """


class PaymentDeclinedError(PaymentError):
    """The provider refused to create a payment or a refund; ``reason`` says why in its words.

    Common causes: a merchant account that may not sell in the currency, a risk
    check, an idempotency key reused for a different request (use a new key per
    request, the same key only to retry one).
    """

    def __init__(self, gateway: str, reason: str) -> None:
        self.gateway = gateway
        self.reason = reason
        super().__init__(f"Payment gateway {gateway!r} declined the request: {reason}")


class PaymentTimeoutError(PaymentError, TimeoutError):
    """The provider did not answer in time.

    The request may or may not have reached the provider: retry ``create`` or
    ``refund`` with the *same* idempotency key, which returns what the first
    attempt did if it went through and never charges or refunds twice.
    """

    def __init__(self, gateway: str, operation: str) -> None:
        self.gateway = gateway
        self.operation = operation
        super().__init__(f"Payment gateway {gateway!r} did not answer {operation}() in time.")


class RefundExceedsPaymentError(PaymentError):
    """A refund asked for more than is left to refund of what the payment took.

    ``refundable`` is what is left: the paid amount minus the refunds so far,
    zero for a payment that was never paid. Common causes: refunding a line
    twice under two idempotency keys, or refunding before the payment
    notification arrived.
    """

    def __init__(self, payment_id: str, requested: object, refundable: object) -> None:
        self.payment_id = payment_id
        self.requested = requested
        self.refundable = refundable
        super().__init__(
            f"Can't refund {_amount_text(requested)} of payment {payment_id!r}: "
            f"only {_amount_text(refundable)} is left to refund."
        )


class UnknownPaymentError(PaymentError, LookupError):
    """The provider has no payment with this id (never created, or created on another account)."""

    def __init__(self, gateway: str, payment_id: str) -> None:
        self.gateway = gateway
        self.payment_id = payment_id
        super().__init__(f"Payment gateway {gateway!r} has no payment {payment_id!r}.")


class PaymentNotificationError(PaymentError):
    """A payment notification (webhook) failed verification; nothing was recorded.

    Answer the sender with a client error and do not act on the content. The
    subclasses say which check failed; every one of them leaves the gateway's
    state, its nonce store included, as it was, so the genuine notification
    still verifies when it comes.
    """


class ForgedSignatureError(PaymentNotificationError):
    """The notification's signature does not match its timestamp, nonce and body.

    Common causes: someone other than the provider sent it, a proxy re-encoded
    the body (verify the raw bytes, never re-serialised JSON), or the adapter
    holds another secret than the provider (a test key against live traffic).
    """

    def __init__(self, gateway: str) -> None:
        self.gateway = gateway
        super().__init__(
            f"Payment gateway {gateway!r}: the notification's signature does not match "
            "its content; refused."
        )


class MalformedNotificationError(PaymentNotificationError, ValueError):
    """A notification the gateway cannot read: a header missing, a body that does not parse.

    ``problem`` says what was wrong. A body that was signed correctly and still
    does not parse is a provider-side bug or a format change: log it and ask
    the provider, do not guess.
    """

    def __init__(self, gateway: str, problem: str) -> None:
        self.gateway = gateway
        self.problem = problem
        super().__init__(f"Payment gateway {gateway!r}: malformed notification: {problem}")


class ReplayedNotificationError(PaymentNotificationError):
    """This notification's nonce was accepted before: a duplicate delivery or a replay.

    The first delivery was verified and returned; acknowledge this one to the
    sender without acting on it again.
    """

    def __init__(self, gateway: str, nonce: str) -> None:
        self.gateway = gateway
        self.nonce = nonce
        super().__init__(
            f"Payment gateway {gateway!r}: notification nonce {nonce!r} was accepted before."
        )


class StaleNotificationError(PaymentNotificationError):
    """The notification's timestamp is further from now than the gateway allows, either side.

    Common causes: a replay of an old capture, or a server clock that is off
    (check NTP). ``sent_at`` is the notification's time, ``now`` the gateway's.
    """

    def __init__(self, gateway: str, sent_at: object, now: object, tolerance: object) -> None:
        self.gateway = gateway
        self.sent_at = sent_at
        self.now = now
        self.tolerance = tolerance
        super().__init__(
            f"Payment gateway {gateway!r}: a notification sent at {sent_at} arrived at {now}, "
            f"more than {tolerance} apart; refused."
        )


class TamperedNotificationError(PaymentNotificationError):
    """A correctly signed notification disagrees with the payment it names.

    ``field`` is what differs (``order_number``, ``currency``, ``amount``),
    ``expected`` what the payment has, ``received`` what the notification says.
    A leaked secret or a provider bug; never pay an order from it.
    """

    def __init__(self, payment_id: str, field: str, expected: object, received: object) -> None:
        self.payment_id = payment_id
        self.expected = expected
        self.received = received
        self.field = field
        self.value = received
        self.reason = f"does not match the payment's {_amount_text(expected)}"
        super().__init__(
            f"Notification for payment {payment_id!r}: {field}={_amount_text(received)} "
            f"does not match the payment's {_amount_text(expected)}; refused."
        )


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
