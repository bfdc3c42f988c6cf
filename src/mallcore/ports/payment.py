"""The PaymentGateway port: take, verify and refund payments through a payment provider.

A gateway does four things: :meth:`~PaymentGateway.create` a payment for an
order, :meth:`~PaymentGateway.verify_notification` the provider's signed word
that it was paid (or failed), :meth:`~PaymentGateway.refund` some or all of
it, and :meth:`~PaymentGateway.query` the provider's current view of it. The
values that cross the port are frozen attrs objects that check their fields
when built. :class:`NonceStore` is the port a gateway remembers notification
nonces in, so that a captured notification cannot be played again.

mallcore ships one gateway, :class:`~mallcore.adapters.sandbox_payment.SandboxGateway`;
adapters for real providers follow :doc:`/how-to/connect-a-payment-provider`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final, Protocol, cast, runtime_checkable

import attrs
import moneyed

from mallcore.checks import check_amount, check_choice, check_text, invalid
from mallcore.clock import aware
from mallcore.errors import CurrencyMismatchError, InvalidAmountError
from mallcore.lifecycle import Machine, Transition
from mallcore.money import Money, from_minor

__all__ = [
    "PAYMENT_MACHINE",
    "NonceStore",
    "PaymentGateway",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRequest",
    "PaymentStatus",
    "RefundRequest",
    "RefundResult",
]


class PaymentStatus(enum.Enum):
    """Where a payment is, as the provider sees it.

    ``pending`` until the customer pays or the attempt fails; ``failed`` may
    still become ``paid`` (the customer tried again); ``paid`` becomes
    ``refunded`` once refunds add up to the whole amount (partial refunds keep
    it ``paid``).
    """

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"


#: A payment's lifecycle as the provider holds it, for the :mod:`mallcore.lifecycle`
#: engine: ``pay`` and ``fail`` from ``pending`` (or ``failed``: the customer
#: tried again), ``refund_part`` keeps a payment ``paid``, ``refund_all``
#: (refunds adding up to the whole amount) makes it ``refunded``. Adapters ask
#: it which moves a payment may make, so that every gateway refuses the same ones.
PAYMENT_MACHINE: Final = Machine(
    "payment",
    initial=PaymentStatus.PENDING.value,
    states=[status.value for status in PaymentStatus],
    transitions=[
        Transition("pay", ["pending", "failed"], "paid"),
        Transition("fail", ["pending", "failed"], "failed"),
        Transition("refund_part", "paid", "paid"),
        Transition("refund_all", "paid", "refunded"),
    ],
    final=[PaymentStatus.REFUNDED.value],
)

# The statuses a notification can report.
_NOTIFIED: Final = frozenset({PaymentStatus.PAID, PaymentStatus.FAILED})


def _text(field: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        check_text(field, value)

    return check


def _money(field: str, value: object, *, positive: bool = True) -> Money:
    """Money in whole minor units (above zero if *positive*), rebuilt as mallcore Money."""
    units = check_amount(field, value, positive=positive)
    # check_amount proved it is Money; rebuilt from minor units, "10" reads "10.00".
    return from_minor(units, cast(moneyed.Money, value).currency)


def _amount(value: object) -> Money:
    return _money("amount", value)


def _refunded(value: object) -> Money:
    return _money("refunded", value, positive=False)


def _total_refunded(value: object) -> Money:
    return _money("total_refunded", value)


def _status(value: object) -> PaymentStatus:
    return check_choice("status", value, PaymentStatus)


def _occurred_at(moment: datetime) -> datetime:
    return aware(moment, field="occurred_at")


def _refunded_at(moment: datetime) -> datetime:
    return aware(moment, field="refunded_at")


@attrs.frozen
class PaymentRequest:
    """What to charge for an order: the argument of :meth:`PaymentGateway.create`.

    Args:
        order_number: The order being paid.
        amount: What to charge, above zero, in whole minor units.
        description: What the customer's statement and the provider's
            dashboard show (Alipay ``subject``, WeChat Pay ``description``).
        idempotency_key: One key per payment attempt: a retry with the same
            key never creates a second payment.

    Raises:
        ConfigError: An empty text field, naming it.
        InvalidAmountError: An amount that is not Money, zero, negative or too precise.

    >>> PaymentRequest("20261111200000ABCDEFGHJK", Money("10", "CNY"), "Tea", "pay-1").amount
    Money('10.00', 'CNY')
    >>> PaymentRequest("o-1", Money("0", "CNY"), "Tea", "pay-1")
    Traceback (most recent call last):
    ...
    mallcore.errors.InvalidAmountError: amount='0' must be greater than 0
    """

    order_number: str = attrs.field(validator=_text("order_number"))
    amount: Money = attrs.field(converter=_amount)
    description: str = attrs.field(validator=_text("description"))
    idempotency_key: str = attrs.field(validator=_text("idempotency_key"))


def _zero_refunded(intent: PaymentIntent) -> Money:
    return from_minor(0, intent.amount.currency)


@attrs.frozen
class PaymentIntent:
    """A payment as the provider holds it: created, then paid, failed or refunded.

    Args:
        payment_id: The provider's id for the payment.
        order_number: The order it pays for.
        amount: What it charges (or charged).
        status: A :class:`PaymentStatus` or its value.
        refunded: The refunds so far, in the amount's currency; at most *amount*
            (default: zero).

    >>> intent = PaymentIntent("pay_1", "o-1", Money("10.00", "CNY"), "paid")
    >>> intent.status, intent.refunded, intent.refundable
    (<PaymentStatus.PAID: 'paid'>, Money('0.00', 'CNY'), Money('10.00', 'CNY'))
    """

    payment_id: str = attrs.field(validator=_text("payment_id"))
    order_number: str = attrs.field(validator=_text("order_number"))
    amount: Money = attrs.field(converter=_amount)
    status: PaymentStatus = attrs.field(converter=_status)
    refunded: Money = attrs.field(
        default=attrs.Factory(_zero_refunded, takes_self=True),
        converter=_refunded,
    )

    @refunded.validator
    def _at_most_the_amount(self, attribute: attrs.Attribute[Money], value: Money) -> None:
        if value.currency != self.amount.currency:
            raise CurrencyMismatchError(
                self.amount.currency.code, value.currency.code, context="refunded"
            )
        if value > self.amount:
            reason = f"must not be more than the amount ({self.amount.amount})"
            raise invalid("refunded", value, reason, InvalidAmountError)

    @property
    def refundable(self) -> Money:
        """What is left to refund: the amount minus the refunds if paid, else zero."""
        if self.status is PaymentStatus.PAID:
            return self.amount - self.refunded
        return from_minor(0, self.amount.currency)


def _notified(value: object) -> PaymentStatus:
    status = _status(value)
    if status not in _NOTIFIED:
        raise invalid("status", status.value, "must be paid or failed in a notification")
    return status


@attrs.frozen
class PaymentNotification:
    """The provider's verified word that a payment was paid or failed.

    Only :meth:`PaymentGateway.verify_notification` should build one from what
    arrived over the network: it is the proof that the signature, the
    timestamp, the nonce and the amount were checked.

    Args:
        payment_id: The payment it is about.
        order_number: The order that payment is for.
        amount: The amount the provider says it took (or failed to take).
        status: ``paid`` or ``failed``.
        occurred_at: When it happened at the provider (time-zone aware).
        notification_id: The notification's unique id, its nonce; the same
            delivery twice carries the same one.

    >>> from datetime import UTC, datetime
    >>> PaymentNotification("pay_1", "o-1", Money("10.00", "CNY"), "refunded",
    ...                     datetime(2026, 11, 11, tzinfo=UTC), "n-1")
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: status='refunded' must be paid or failed in a notification
    """

    payment_id: str = attrs.field(validator=_text("payment_id"))
    order_number: str = attrs.field(validator=_text("order_number"))
    amount: Money = attrs.field(converter=_amount)
    status: PaymentStatus = attrs.field(converter=_notified)
    occurred_at: datetime = attrs.field(converter=_occurred_at)
    notification_id: str = attrs.field(validator=_text("notification_id"))


@attrs.frozen
class RefundRequest:
    """What to give back of a payment: the argument of :meth:`PaymentGateway.refund`.

    Args:
        payment_id: The payment to refund.
        amount: How much, above zero; partial refunds are allowed.
        reason: Why, in the words the customer and the provider's dashboard see.
        idempotency_key: One key per refund: a retry with the same key returns
            the same :class:`RefundResult` and never refunds twice.

    >>> RefundRequest("pay_1", Money("2.5", "CNY"), "damaged in transit", "refund-1").amount
    Money('2.50', 'CNY')
    """

    payment_id: str = attrs.field(validator=_text("payment_id"))
    amount: Money = attrs.field(converter=_amount)
    reason: str = attrs.field(validator=_text("reason"))
    idempotency_key: str = attrs.field(validator=_text("idempotency_key"))


@attrs.frozen
class RefundResult:
    """A refund the provider accepted.

    Args:
        refund_id: The provider's id for the refund.
        payment_id: The payment it gives back part of.
        amount: What this refund gives back.
        total_refunded: All refunds of the payment so far, this one included.
        refunded_at: When the provider accepted it (time-zone aware).
    """

    refund_id: str = attrs.field(validator=_text("refund_id"))
    payment_id: str = attrs.field(validator=_text("payment_id"))
    amount: Money = attrs.field(converter=_amount)
    total_refunded: Money = attrs.field(converter=_total_refunded)
    refunded_at: datetime = attrs.field(converter=_refunded_at)

    @total_refunded.validator
    def _includes_this_refund(self, attribute: attrs.Attribute[Money], value: Money) -> None:
        if value.currency != self.amount.currency:
            raise CurrencyMismatchError(
                self.amount.currency.code, value.currency.code, context="total_refunded"
            )
        if value < self.amount:
            reason = f"must include this refund's amount ({self.amount.amount})"
            raise invalid("total_refunded", value, reason, InvalidAmountError)


@runtime_checkable
class PaymentGateway(Protocol):
    """Port: charge, verify, refund and look up payments with one payment provider.

    The contract, checked by
    :class:`~mallcore.testing.contracts.PaymentGatewayContract`:

    * **Idempotent by key.** :meth:`create` and :meth:`refund` with an
      idempotency key used before, for the same request, return the payment or
      the refund that key made and never charge or refund twice; the same key
      for a *different* request is refused with
      :class:`~mallcore.errors.PaymentDeclinedError`.
    * **Refunds never exceed the payment.** The refunds of a payment add up to
      at most what it took; partial refunds are allowed; a payment that was
      not paid has nothing to refund.
    * **Notifications are verified before they are believed**, in this order,
      each refusal its own :class:`~mallcore.errors.PaymentNotificationError`
      and none of them changing anything (no nonce is used up):
      the headers and the signature over the raw bytes
      (:class:`~mallcore.errors.MalformedNotificationError`,
      :class:`~mallcore.errors.ForgedSignatureError`); the timestamp within the
      gateway's tolerance of its clock, either side
      (:class:`~mallcore.errors.StaleNotificationError`); the body
      (:class:`~mallcore.errors.MalformedNotificationError`); the payment it
      names (:class:`~mallcore.errors.UnknownPaymentError`) and its order
      number, currency and amount
      (:class:`~mallcore.errors.TamperedNotificationError`); and last the
      nonce, remembered atomically in a :class:`NonceStore`
      (:class:`~mallcore.errors.ReplayedNotificationError`). Signatures are
      compared in constant time.

    Provider failures become :class:`~mallcore.errors.PaymentDeclinedError`
    (a refusal) or :class:`~mallcore.errors.PaymentTimeoutError` (no answer:
    retry with the same key), with the provider's exception chained; an
    unknown payment id is :class:`~mallcore.errors.UnknownPaymentError`.
    """

    def create(self, request: PaymentRequest) -> PaymentIntent:
        """Create a payment for *request*; the same idempotency key creates one payment."""
        ...

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Check a notification the provider sent (its HTTP *headers* and raw *body*).

        Returns:
            The verified notification; its nonce is now used up.
        """
        ...

    def refund(self, request: RefundRequest) -> RefundResult:
        """Give back *request.amount* of a paid payment; the same key refunds once."""
        ...

    def query(self, payment_id: str) -> PaymentIntent:
        """The provider's current view of the payment: the source of truth for reconciling."""
        ...


@runtime_checkable
class NonceStore(Protocol):
    """Port: the nonces of accepted notifications, remembered until they cannot pass again.

    A gateway refuses a notification whose timestamp is too far from now, so a
    nonce need only be kept until its notification would be refused as stale
    anyway (``keep_until``); after that the store may forget it.

    * :meth:`remember` is one atomic "add if absent": of N threads or processes
      remembering one nonce at once, exactly one gets ``True`` (SQL:
      ``INSERT ... ON CONFLICT DO NOTHING`` and check the row count; Redis:
      ``SET nonce 1 NX EXAT keep_until``).
    * Naive datetimes are refused with :class:`~mallcore.errors.ConfigError`;
      backend failures raise :class:`~mallcore.errors.StorageError` with the
      backend's exception chained.

    The contract is :class:`~mallcore.testing.contracts.NonceStoreContract`.
    """

    def remember(self, nonce: str, *, at: datetime, keep_until: datetime) -> bool:
        """Remember *nonce* at *at* until *keep_until*; ``False`` if it was already remembered."""
        ...

    def seen(self, nonce: str, *, at: datetime) -> bool:
        """Whether *nonce* is remembered and *at* is not past its ``keep_until``."""
        ...
