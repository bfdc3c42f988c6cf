r"""A deterministic in-memory payment provider for tests, notebooks and demos, with faults.

:class:`SandboxGateway` keeps the :class:`~mallcore.ports.payment.PaymentGateway`
contract without a network. It signs its notifications the way real providers
do: a canonical JSON body (sorted keys, no spaces, amounts as decimal strings
with their currency) and three headers, a Unix timestamp, a nonce and the
hex HMAC-SHA256 of ``timestamp + "\n" + nonce + "\n" + body`` under the
shared secret. The customer "pays" when the test says so
(:meth:`SandboxGateway.notify`); :class:`SandboxPaymentFaults` and
:meth:`SandboxGateway.fail_next` make it misbehave the way real providers do:
decline, time out, lose an answer, deliver a notification twice or late.

It is an adapter, so it lives here and not next to its port; import it from
this module (``from mallcore.adapters.sandbox_payment import SandboxGateway``).
It moves no money: mallcore ships no adapter for a real provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from mallcore.adapters.memory import InMemoryNonceStore
from mallcore.checks import check_choice, check_text
from mallcore.clock import Clock, aware
from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    ForgedSignatureError,
    InvalidTransitionError,
    MalformedNotificationError,
    MallcoreError,
    PaymentDeclinedError,
    PaymentTimeoutError,
    RefundExceedsPaymentError,
    ReplayedNotificationError,
    StaleNotificationError,
    TamperedNotificationError,
    UnknownPaymentError,
)
from mallcore.money import parse_money
from mallcore.ports.payment import (
    PAYMENT_MACHINE,
    NonceStore,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    RefundResult,
)

if TYPE_CHECKING:
    from mallcore.ports import PaymentGateway

__all__ = [
    "DEFAULT_TOLERANCE",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SandboxGateway",
    "SandboxPaymentFaults",
    "SignedNotification",
    "canonical_body",
    "sign",
]

#: Unix seconds at which the notification was sent (signed).
TIMESTAMP_HEADER: Final = "Mallcore-Sandbox-Timestamp"
#: The notification's one-time nonce; it is also its ``notification_id``.
NONCE_HEADER: Final = "Mallcore-Sandbox-Nonce"
#: Hex HMAC-SHA256 of ``timestamp + "\n" + nonce + "\n" + body``.
SIGNATURE_HEADER: Final = "Mallcore-Sandbox-Signature"
#: How far a notification's timestamp may be from the gateway's clock, either side.
DEFAULT_TOLERANCE: Final = timedelta(minutes=5)

#: What :meth:`SandboxGateway.notify` returns: the HTTP headers and the raw body.
SignedNotification = tuple[dict[str, str], bytes]

_MAX_BODY: Final = 64 * 1024
_DIGITS: Final = re.compile(r"[0-9]{1,10}")  # up to the year 2286
_NONCE: Final = re.compile(r"[A-Za-z0-9_-]{8,128}")
_HEX_SHA256: Final = re.compile(r"[0-9a-fA-F]{64}")
_DECIMAL: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_BODY_KEYS: Final = frozenset({"amount", "occurred_at", "order_number", "payment_id", "status"})
_AMOUNT_KEYS: Final = frozenset({"currency", "value"})
_OPERATIONS: Final = ("create", "refund")
_FAULTS: Final = ("decline", "timeout", "lost_response")

Operation = Literal["create", "refund"]
Fault = Literal["decline", "timeout", "lost_response"]


def canonical_body(intent: PaymentIntent, status: PaymentStatus, occurred_at: datetime) -> bytes:
    """The notification body for *intent*: sorted keys, no spaces, UTF-8.

    >>> from mallcore.money import Money
    >>> intent = PaymentIntent("pay_1", "o-1", Money("10", "CNY"), "pending")
    >>> body = canonical_body(intent, PaymentStatus.PAID, datetime(2026, 11, 11, 20, tzinfo=UTC))
    >>> for part in body.split(b","):
    ...     print(part.decode())
    {"amount":{"currency":"CNY"
    "value":"10.00"}
    "occurred_at":"2026-11-11T20:00:00+00:00"
    "order_number":"o-1"
    "payment_id":"pay_1"
    "status":"paid"}
    """
    document = {
        "amount": {"currency": intent.amount.currency.code, "value": f"{intent.amount.amount:f}"},
        "occurred_at": aware(occurred_at, field="occurred_at").isoformat(),
        "order_number": intent.order_number,
        "payment_id": intent.payment_id,
        "status": status.value,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sign(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    r"""The hex HMAC-SHA256 of ``timestamp + "\n" + nonce + "\n" + body`` under *secret*.

    >>> sign(b"secret", "1700000000", "nonce-01", b"{}")[:16]
    '4ee161241119c543'
    """
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@attrs.frozen
class SandboxPaymentFaults:
    """The ways a :class:`SandboxGateway` misbehaves on every call; all off by default.

    For a fault that hits only the next call, use :meth:`SandboxGateway.fail_next`.

    Args:
        decline: A reason; every ``create`` and ``refund`` raises
            :class:`~mallcore.errors.PaymentDeclinedError` with it, doing nothing.
        timeout: Every ``create``, ``refund`` and ``query`` raises
            :class:`~mallcore.errors.PaymentTimeoutError`, doing nothing.
        lost_response: ``create`` and ``refund`` do their work and *then* time out,
            like an answer lost on the way back; a retry with the same key returns
            what was done.
        duplicate_notifications: :meth:`SandboxGateway.deliveries` sends every
            notification twice, the copy right after the original.
        out_of_order_notifications: :meth:`SandboxGateway.deliveries` sends the
            notifications latest first.
    """

    decline: str | None = None
    timeout: bool = False
    lost_response: bool = False
    duplicate_notifications: bool = False
    out_of_order_notifications: bool = False


def _secret(instance: object, attribute: attrs.Attribute[bytes], value: object) -> None:
    if not isinstance(value, bytes) or not value:
        msg = "secret must be non-empty bytes, such as secrets.token_bytes(32)"
        raise ConfigError(msg)


def _tolerance(instance: object, attribute: attrs.Attribute[timedelta], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        msg = f"tolerance={value!r} must be a timedelta above zero"
        raise ConfigError(msg)


def _nonce_store(value: NonceStore | None) -> NonceStore:
    return InMemoryNonceStore() if value is None else value


@attrs.frozen
class _Created:
    request: PaymentRequest
    payment_id: str


@attrs.frozen
class _Refunded:
    request: RefundRequest
    result: RefundResult


@attrs.define(eq=False)
class SandboxGateway:
    """An in-memory payment provider that does exactly what it is told, including failing.

    Args:
        secret: The key notifications are signed with (the "API secret"); it is
            kept out of the ``repr``.
        clock: Where "now" comes from, for timestamps and the staleness check.
        nonces: Where accepted nonces are remembered (default: a new
            :class:`~mallcore.adapters.memory.InMemoryNonceStore`); share one
            store between the gateways of several processes.
        faults: The misbehaviour to inject on every call; may be replaced at any time.
        name: The gateway name in error messages.
        tolerance: How far a notification's timestamp may be from ``clock.now()``,
            either side (default: five minutes).

    >>> from mallcore.clock import FixedClock
    >>> from mallcore.money import Money
    >>> clock = FixedClock(datetime(2026, 11, 11, 20, tzinfo=UTC))
    >>> gateway = SandboxGateway(b"sandbox-secret", clock)
    >>> intent = gateway.create(PaymentRequest("o-1", Money("99.00", "CNY"), "Tea", "pay-o-1"))
    >>> intent.status.value
    'pending'
    >>> headers, body = gateway.notify(intent.payment_id, "paid")
    >>> notification = gateway.verify_notification(headers, body)
    >>> notification.status.value, notification.amount
    ('paid', Money('99.00', 'CNY'))
    >>> gateway.verify_notification(headers, body)
    Traceback (most recent call last):
    ...
    mallcore.errors.ReplayedNotificationError: Payment gateway 'sandbox': notification nonce ...
    >>> back = RefundRequest(intent.payment_id, Money("9.00", "CNY"), "late delivery", "r-1")
    >>> refund = gateway.refund(back)
    >>> refund.total_refunded, gateway.query(intent.payment_id).refundable
    (Money('9.00', 'CNY'), Money('90.00', 'CNY'))
    """

    secret: bytes = attrs.field(repr=False, validator=_secret)
    clock: Clock
    nonces: NonceStore = attrs.field(default=None, converter=_nonce_store)
    faults: SandboxPaymentFaults = attrs.field(factory=SandboxPaymentFaults)
    name: str = attrs.field(default="sandbox", kw_only=True)
    tolerance: timedelta = attrs.field(
        default=DEFAULT_TOLERANCE, kw_only=True, validator=_tolerance
    )
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False, repr=False)
    _intents: dict[str, PaymentIntent] = attrs.field(factory=dict, init=False, repr=False)
    _created: dict[str, _Created] = attrs.field(factory=dict, init=False, repr=False)
    _refunded: dict[str, _Refunded] = attrs.field(factory=dict, init=False, repr=False)
    _refunds: dict[str, RefundResult] = attrs.field(factory=dict, init=False, repr=False)
    _outbox: dict[str, list[SignedNotification]] = attrs.field(factory=dict, init=False, repr=False)
    _next: dict[str, list[tuple[str, str]]] = attrs.field(factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ the port

    def create(self, request: PaymentRequest) -> PaymentIntent:
        """A ``pending`` payment for *request*; the same key returns that payment as it is now.

        Raises:
            PaymentTimeoutError: With a ``timeout`` fault (nothing created) or a
                ``lost_response`` fault (created; retry with the same key).
            PaymentDeclinedError: With a ``decline`` fault, or for a key already
                used for another request.
        """
        given: object = request  # callers' data: check what the annotation promises
        if not isinstance(given, PaymentRequest):
            msg = f"request={given!r} must be a PaymentRequest"
            raise ConfigError(msg)
        with self._lock:
            fault = self._refuse_if_faulty("create")
            key = request.idempotency_key
            created = self._created.get(key)
            if created is None:
                payment_id = self._new_id("pay", key, taken=self._intents)
                self._intents[payment_id] = PaymentIntent(
                    payment_id, request.order_number, request.amount, PaymentStatus.PENDING
                )
                self._created[key] = _Created(request, payment_id)
            elif created.request != request:
                raise self._key_reused(key, f"order {created.request.order_number!r}")
            intent = self._intents[self._created[key].payment_id]
        if fault == "lost_response":
            raise PaymentTimeoutError(self.name, "create")
        return intent

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Check a notification's headers, signature, timestamp, body, payment and nonce.

        The checks run in that order and the first failure is raised; none of
        them changes anything, so the genuine notification still verifies after a
        forged one. The nonce is remembered last, atomically.

        Raises:
            MalformedNotificationError: A header missing or malformed, or a body
                that is not the canonical JSON of a notification.
            ForgedSignatureError: The signature does not match.
            StaleNotificationError: The timestamp is more than ``tolerance`` from now.
            UnknownPaymentError: The body names a payment the sandbox does not have.
            TamperedNotificationError: Its order number, currency or amount is not
                the payment's.
            ReplayedNotificationError: Its nonce was accepted before.
        """
        raw = self._raw_body(body)
        timestamp, nonce, signature = self._headers(headers)
        expected = sign(self.secret, timestamp, nonce, raw)
        if not _HEX_SHA256.fullmatch(signature) or not hmac.compare_digest(
            expected, signature.lower()
        ):
            raise ForgedSignatureError(self.name)
        sent_at = datetime.fromtimestamp(int(timestamp), UTC)
        now = self.clock.now()
        if abs(now - sent_at) > self.tolerance:
            raise StaleNotificationError(self.name, sent_at, now, self.tolerance)
        notification = self._parse(raw, nonce)
        with self._lock:
            intent = self._intent(notification.payment_id)
        self._check_against(intent, notification)
        if not self.nonces.remember(nonce, at=now, keep_until=sent_at + self.tolerance):
            raise ReplayedNotificationError(self.name, nonce)
        return notification

    def refund(self, request: RefundRequest) -> RefundResult:
        """Give back part or all of a paid payment; the same key returns the same result.

        Raises:
            PaymentTimeoutError: With a ``timeout`` fault (nothing refunded) or a
                ``lost_response`` fault (refunded; retry with the same key).
            PaymentDeclinedError: With a ``decline`` fault, or for a key already
                used for another refund.
            UnknownPaymentError: No payment has ``request.payment_id``.
            CurrencyMismatchError: The refund is in another currency than the payment.
            RefundExceedsPaymentError: More than is left to refund (everything, for
                a payment that is not paid); nothing is refunded.
        """
        given: object = request
        if not isinstance(given, RefundRequest):
            msg = f"request={given!r} must be a RefundRequest"
            raise ConfigError(msg)
        with self._lock:
            fault = self._refuse_if_faulty("refund")
            key = request.idempotency_key
            done = self._refunded.get(key)
            if done is None:
                result = self._new_refund(request)
            elif done.request != request:
                raise self._key_reused(key, f"refund {done.result.refund_id!r}")
            else:
                result = done.result
        if fault == "lost_response":
            raise PaymentTimeoutError(self.name, "refund")
        return result

    def query(self, payment_id: str) -> PaymentIntent:
        """The payment as the sandbox holds it now.

        Raises:
            PaymentTimeoutError: With the ``timeout`` fault.
            UnknownPaymentError: No payment has *payment_id*.
        """
        if self.faults.timeout:
            raise PaymentTimeoutError(self.name, "query")
        with self._lock:
            return self._intent(payment_id)

    # ------------------------------------------------------------------ test controls

    def notify(
        self, payment_id: str, status: PaymentStatus | str = "paid", *, at: datetime | None = None
    ) -> SignedNotification:
        """The customer pays (or fails to): move the payment and sign the notification.

        A ``pending`` or ``failed`` payment may become ``paid`` or ``failed``.

        Args:
            payment_id: The payment.
            status: ``paid`` or ``failed``.
            at: When it happened (aware); default: the clock's now. The
                notification is always sent (timestamped) at the clock's now.

        Returns:
            The headers and the body, as :meth:`verify_notification` takes them;
            also kept for :meth:`deliveries`.

        Raises:
            UnknownPaymentError: No payment has *payment_id*.
            InvalidTransitionError: The payment is ``paid`` or ``refunded`` already.
            ConfigError: A status other than ``paid`` or ``failed``, or a naive *at*.
        """
        outcome = check_choice("status", status, PaymentStatus)
        if outcome not in (PaymentStatus.PAID, PaymentStatus.FAILED):
            msg = f"status={outcome.value!r} must be paid or failed"
            raise ConfigError(msg)
        moment = aware(at, field="at") if at is not None else self.clock.now()
        with self._lock:
            intent = self._intent(payment_id)
            action = "pay" if outcome is PaymentStatus.PAID else "fail"
            if PAYMENT_MACHINE.transition(intent.status.value, action) is None:
                action = f"notify {outcome.value} for"
                raise InvalidTransitionError(payment_id, intent.status.value, action)
            self._intents[payment_id] = attrs.evolve(intent, status=outcome)
            body = canonical_body(intent, outcome, moment)
            notification = (self.signed_headers(body), body)
            self._outbox.setdefault(payment_id, []).append(notification)
        return dict(notification[0]), body

    def signed_headers(
        self, body: bytes, *, sent_at: datetime | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """The headers the sandbox sends with *body*: any bytes, signed with the secret.

        Tests use it to sign what the sandbox would never send (a stale
        timestamp, a wrong amount, a body that is not JSON).

        Args:
            body: The raw body.
            sent_at: The timestamp (aware; whole seconds are kept); default: now.
            nonce: Default: 32 random hex digits.
        """
        moment = aware(sent_at, field="sent_at") if sent_at is not None else self.clock.now()
        timestamp = str(int(moment.timestamp()))
        once = nonce if nonce is not None else secrets.token_hex(16)
        return {
            TIMESTAMP_HEADER: timestamp,
            NONCE_HEADER: once,
            SIGNATURE_HEADER: sign(self.secret, timestamp, once, body),
        }

    def deliveries(self, payment_id: str) -> list[SignedNotification]:
        """Every notification sent for the payment, as the webhook sender delivers them.

        In the order they were sent, unless ``duplicate_notifications`` (each
        twice) or ``out_of_order_notifications`` (latest first) says otherwise.

        Raises:
            UnknownPaymentError: No payment has *payment_id*.
        """
        with self._lock:
            self._intent(payment_id)
            feed = list(self._outbox.get(payment_id, ()))
        if self.faults.duplicate_notifications:
            # What a sender that retries before reading the answer produces.
            feed = [sent for original in feed for sent in (original, original)]
        if self.faults.out_of_order_notifications:
            feed.reverse()
        return [(dict(headers), body) for headers, body in feed]

    def fail_next(self, operation: Operation, fault: Fault, *, reason: str = "declined") -> None:
        """Make the next *operation* (``create`` or ``refund``) fail once, then behave.

        Args:
            operation: ``create`` or ``refund``.
            fault: ``decline`` (refused, nothing done), ``timeout`` (no answer,
                nothing done) or ``lost_response`` (done, then no answer).
            reason: The decline's reason.

        Faults queue up: two calls make the next two calls fail.
        """
        if operation not in _OPERATIONS:
            msg = f"operation={operation!r} must be one of {', '.join(_OPERATIONS)}"
            raise ConfigError(msg)
        if fault not in _FAULTS:
            msg = f"fault={fault!r} must be one of {', '.join(_FAULTS)}"
            raise ConfigError(msg)
        check_text("reason", reason)
        with self._lock:
            self._next.setdefault(operation, []).append((fault, reason))

    @property
    def payments(self) -> dict[str, PaymentIntent]:
        """A copy of every payment, by id."""
        with self._lock:
            return dict(self._intents)

    @property
    def refunds(self) -> tuple[RefundResult, ...]:
        """Every refund made, in order."""
        with self._lock:
            return tuple(self._refunds.values())

    # ------------------------------------------------------------------ internals

    def _refuse_if_faulty(self, operation: str) -> str | None:
        # Called with the lock held. A queued one-off fault comes first.
        queued = self._next.get(operation)
        if queued:
            fault, reason = queued.pop(0)
        elif self.faults.timeout:
            fault, reason = "timeout", ""
        elif self.faults.decline is not None:
            fault, reason = "decline", self.faults.decline
        elif self.faults.lost_response:
            fault, reason = "lost_response", ""
        else:
            return None
        if fault == "timeout":
            raise PaymentTimeoutError(self.name, operation)
        if fault == "decline":
            raise PaymentDeclinedError(self.name, reason)
        return fault

    def _new_refund(self, request: RefundRequest) -> RefundResult:
        # Called with the lock held: the check and the write are one step.
        intent = self._intent(request.payment_id)
        if request.amount.currency != intent.amount.currency:
            context = f"refund of payment {intent.payment_id!r}"
            raise CurrencyMismatchError(
                intent.amount.currency.code, request.amount.currency.code, context=context
            )
        refundable = intent.refundable
        if request.amount > refundable:
            raise RefundExceedsPaymentError(intent.payment_id, request.amount, refundable)
        total = intent.refunded + request.amount
        action = "refund_all" if total == intent.amount else "refund_part"
        move = PAYMENT_MACHINE.transition(intent.status.value, action)
        if move is None:  # refundable is zero unless paid, so this is a broken invariant
            raise RefundExceedsPaymentError(intent.payment_id, request.amount, refundable)
        status = PaymentStatus(move.target)
        refund_id = self._new_id("re", request.idempotency_key, taken=self._refunds)
        result = RefundResult(refund_id, intent.payment_id, request.amount, total, self.clock.now())
        self._intents[intent.payment_id] = attrs.evolve(intent, refunded=total, status=status)
        self._refunded[request.idempotency_key] = _Refunded(request, result)
        self._refunds[refund_id] = result
        return result

    def _intent(self, payment_id: str) -> PaymentIntent:
        try:
            return self._intents[payment_id]
        except (KeyError, TypeError):
            raise UnknownPaymentError(self.name, payment_id) from None

    def _key_reused(self, key: str, used_for: str) -> PaymentDeclinedError:
        reason = f"idempotency_key={key!r} was already used for {used_for}"
        return PaymentDeclinedError(self.name, reason)

    def _new_id(self, prefix: str, key: str, *, taken: Mapping[str, object]) -> str:
        # A hash, not a counter, so an id depends on the gateway name and the key
        # only; the salt resolves the (astronomically rare) collision.
        salt = 0
        while True:
            digest = hashlib.sha256(f"{self.name}:{prefix}:{key}:{salt}".encode()).hexdigest()
            candidate = f"{prefix}_{digest[:24]}"
            if candidate not in taken:
                return candidate
            salt += 1

    def _raw_body(self, body: object) -> bytes:
        if not isinstance(body, bytes | bytearray):
            raise MalformedNotificationError(self.name, "the body must be the raw bytes")
        if len(body) > _MAX_BODY:
            raise MalformedNotificationError(self.name, f"the body is over {_MAX_BODY} bytes")
        return bytes(body)

    def _headers(self, headers: Mapping[str, str]) -> tuple[str, str, str]:
        # HTTP header names are case-insensitive, and frameworks spell them differently.
        given: object = headers
        if not isinstance(given, Mapping):
            raise MalformedNotificationError(self.name, "the headers must be a mapping")
        by_name: dict[str, object] = {str(name).lower(): value for name, value in given.items()}
        found: list[str] = []
        for name in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER):
            value = by_name.get(name.lower())
            if not isinstance(value, str) or not value:
                raise MalformedNotificationError(self.name, f"header {name} is missing")
            found.append(value)
        timestamp, nonce, signature = found
        if not _DIGITS.fullmatch(timestamp):
            problem = f"header {TIMESTAMP_HEADER}={timestamp!r} must be Unix seconds"
            raise MalformedNotificationError(self.name, problem)
        if not _NONCE.fullmatch(nonce):
            problem = f"header {NONCE_HEADER}={nonce!r} must be 8 to 128 letters, digits, - or _"
            raise MalformedNotificationError(self.name, problem)
        return timestamp, nonce, signature

    def _parse(self, body: bytes, nonce: str) -> PaymentNotification:
        try:
            document = json.loads(body.decode("utf-8"), object_pairs_hook=_unique_keys)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise MalformedNotificationError(self.name, f"the body is not JSON: {exc}") from exc
        if not isinstance(document, dict) or set(document) != _BODY_KEYS:
            problem = f"the body must be an object with the keys {', '.join(sorted(_BODY_KEYS))}"
            raise MalformedNotificationError(self.name, problem)
        amount = document["amount"]
        if not isinstance(amount, dict) or set(amount) != _AMOUNT_KEYS:
            problem = "amount must be an object with the keys currency and value"
            raise MalformedNotificationError(self.name, problem)
        texts = [document[key] for key in sorted(_BODY_KEYS - {"amount"})]
        texts += [amount["currency"], amount["value"]]
        if not all(isinstance(text, str) for text in texts):
            raise MalformedNotificationError(self.name, "every value must be a string")
        if not _DECIMAL.fullmatch(amount["value"]):
            problem = f"amount.value={amount['value']!r} must be a decimal string such as '10.00'"
            raise MalformedNotificationError(self.name, problem)
        try:
            return PaymentNotification(
                payment_id=document["payment_id"],
                order_number=document["order_number"],
                amount=parse_money(amount["value"], amount["currency"], field="amount.value"),
                status=document["status"],
                occurred_at=datetime.fromisoformat(document["occurred_at"]),
                notification_id=nonce,
            )
        except (MallcoreError, ValueError) as exc:
            raise MalformedNotificationError(self.name, str(exc)) from exc

    def _check_against(self, intent: PaymentIntent, notification: PaymentNotification) -> None:
        pairs: list[tuple[str, Any, Any]] = [
            ("order_number", intent.order_number, notification.order_number),
            ("currency", intent.amount.currency.code, notification.amount.currency.code),
            ("amount", intent.amount, notification.amount),
        ]
        for field, expected, received in pairs:
            if expected != received:
                raise TamperedNotificationError(intent.payment_id, field, expected, received)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values for one key would let two parsers read two different notifications.
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        msg = "a key appears twice"
        raise ValueError(msg)
    return dict(pairs)


if TYPE_CHECKING:
    # mypy proves here that the sandbox has the port's structure.
    from mallcore.clock import SystemClock

    _gateway: PaymentGateway = SandboxGateway(b"secret", SystemClock())
