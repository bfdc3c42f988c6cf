"""The contracts that every PaymentGateway and NonceStore adapter keeps.

Subclass :class:`PaymentGatewayContract` in your test suite, provide a
``gateway`` fixture built on the contract's ``clock`` and implement
:meth:`~PaymentGatewayContract.signed_notification`; subclass
:class:`NonceStoreContract` and provide a ``nonces`` fixture.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from mallcore.clock import AdvancingClock
from mallcore.errors import (
    ConfigError,
    ForgedSignatureError,
    PaymentDeclinedError,
    RefundExceedsPaymentError,
    ReplayedNotificationError,
    StaleNotificationError,
    UnknownPaymentError,
)
from mallcore.money import Money, from_minor, to_minor
from mallcore.ports import (
    NonceStore,
    PaymentGateway,
    PaymentIntent,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
)

__all__ = ["NonceStoreContract", "PaymentGatewayContract"]

STARTED = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
THREADS = 16


def _share(amount: Money, numerator: int, denominator: int) -> Money:
    """*numerator*/*denominator* of *amount*, rounded down to a minor unit, at least one."""
    return from_minor(max(1, to_minor(amount) * numerator // denominator), amount.currency)


def _smallest(amount: Money) -> Money:
    """One minor unit of *amount*'s currency (¥0.01, ¥1 for JPY)."""
    return from_minor(1, amount.currency)


def _key(what: str) -> str:
    # Random, not fixed: an adapter may talk to a shared test account whose
    # idempotency keys outlive one test run.
    return f"mallcore-contract-{what}-{uuid.uuid4().hex}"


class PaymentGatewayContract:
    """Behaviour shared by every :class:`~mallcore.ports.payment.PaymentGateway` adapter.

    It checks idempotent ``create`` and ``refund``, ``query``, that a genuine
    notification verifies once and a replay, a changed body or a late one does
    not (leaving the genuine one verifiable), and that refunds add up to at most
    what was paid.

    What a subclass provides:

    - ``gateway``: a fixture returning a fresh adapter whose "now" is the
      contract's ``clock`` fixture (an :class:`~mallcore.clock.AdvancingClock`
      at 2026-11-11 20:00 UTC), so the contract can move time (required).
    - :meth:`signed_notification`: complete a payment at the provider and return
      the notification it sends, timestamped at the clock's now (required).
    - ``payment_request``: override for a provider that needs another amount,
      currency or description (optional; default ¥100.00; the refund checks
      take shares of whatever amount it has).
    - :attr:`tolerance`: how far from now the adapter accepts a notification's
      timestamp (default five minutes).

    Example::

        class TestMyGateway(PaymentGatewayContract):
            @pytest.fixture
            def gateway(self, clock: AdvancingClock) -> PaymentGateway:
                return MyGateway(api=FakeApi(), clock=clock)

            def signed_notification(self, gateway, intent, status):
                return gateway.api.complete(intent.payment_id, status.value)
    """

    #: How far from the clock an adapter accepts a notification's timestamp.
    tolerance: timedelta = timedelta(minutes=5)

    @pytest.fixture
    def clock(self) -> AdvancingClock:
        """The clock the ``gateway`` fixture must use; the contract moves it."""
        return AdvancingClock(STARTED)

    @pytest.fixture
    def payment_request(self) -> PaymentRequest:
        """A payment of ¥100.00 for one order, under a fresh idempotency key."""
        return PaymentRequest(
            "20261111200000CONTRACT01", Money("100.00", "CNY"), "mallcore contract", _key("pay")
        )

    def signed_notification(
        self, gateway: PaymentGateway, intent: PaymentIntent, status: PaymentStatus
    ) -> tuple[Mapping[str, str], bytes]:
        """Hook: make the provider mark *intent* *status* and return its notification.

        Return the HTTP headers and the raw body exactly as the provider sends
        them (a sandbox call, a recorded webhook of a test-mode account).
        """
        raise NotImplementedError("subclasses say how the provider notifies a payment")

    def _paid(
        self, gateway: PaymentGateway, request: PaymentRequest
    ) -> tuple[PaymentIntent, tuple[Mapping[str, str], bytes]]:
        intent = gateway.create(request)
        headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
        gateway.verify_notification(headers, body)
        return intent, (headers, body)

    # ------------------------------------------------------------------ create and query

    def test_the_gateway_has_the_port_structure(self, gateway: PaymentGateway) -> None:
        assert isinstance(gateway, PaymentGateway)

    def test_create_returns_a_pending_payment_for_the_request(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent = gateway.create(payment_request)
        assert intent.payment_id
        assert (intent.order_number, intent.amount) == (
            payment_request.order_number,
            payment_request.amount,
        )
        assert intent.status is PaymentStatus.PENDING
        assert gateway.query(intent.payment_id) == intent

    def test_one_idempotency_key_creates_one_payment(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        first = gateway.create(payment_request)
        assert gateway.create(payment_request) == first

    def test_different_keys_create_different_payments(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        ids = {
            gateway.create(
                PaymentRequest(
                    payment_request.order_number,
                    payment_request.amount,
                    payment_request.description,
                    _key("pay"),
                )
            ).payment_id
            for _ in range(3)
        }
        assert len(ids) == 3

    def test_a_key_reused_for_another_request_is_declined(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        gateway.create(payment_request)
        other = PaymentRequest(
            payment_request.order_number + "X",
            payment_request.amount,
            payment_request.description,
            payment_request.idempotency_key,
        )
        with pytest.raises(PaymentDeclinedError):
            gateway.create(other)

    def test_query_refuses_an_unknown_payment(self, gateway: PaymentGateway) -> None:
        with pytest.raises(UnknownPaymentError):
            gateway.query("mallcore-no-such-payment")

    # ------------------------------------------------------------------ notifications

    def test_a_genuine_notification_verifies_and_the_payment_is_paid(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent = gateway.create(payment_request)
        headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
        notification = gateway.verify_notification(headers, body)
        assert (notification.payment_id, notification.order_number, notification.amount) == (
            intent.payment_id,
            intent.order_number,
            intent.amount,
        )
        assert notification.status is PaymentStatus.PAID
        assert notification.notification_id
        assert gateway.query(intent.payment_id).status is PaymentStatus.PAID

    def test_a_failed_payment_is_notified_as_failed(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent = gateway.create(payment_request)
        headers, body = self.signed_notification(gateway, intent, PaymentStatus.FAILED)
        assert gateway.verify_notification(headers, body).status is PaymentStatus.FAILED

    def test_the_same_notification_twice_is_a_replay(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        _, (headers, body) = self._paid(gateway, payment_request)
        with pytest.raises(ReplayedNotificationError):
            gateway.verify_notification(headers, body)

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param(lambda body, amount: body + b" ", id="a byte appended"),
            pytest.param(
                lambda body, amount: body.replace(amount.encode(), b"0.01"), id="the amount changed"
            ),
            pytest.param(
                lambda body, amount: body.replace(b"paid", b"fail"), id="the status changed"
            ),
        ],
    )
    def test_a_changed_body_is_forged_and_uses_up_nothing(
        self,
        gateway: PaymentGateway,
        payment_request: PaymentRequest,
        change: Callable[[bytes, str], bytes],
    ) -> None:
        intent = gateway.create(payment_request)
        headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
        changed = change(body, f"{intent.amount.amount:f}")
        if changed == body:
            pytest.skip("this provider's body does not spell the value that way")
        with pytest.raises(ForgedSignatureError):
            gateway.verify_notification(headers, changed)
        # The refusal used up no nonce: the genuine delivery still verifies.
        assert gateway.verify_notification(headers, body).payment_id == intent.payment_id

    @pytest.mark.parametrize("late", [True, False], ids=["checked too late", "from the future"])
    def test_a_notification_outside_the_tolerance_is_stale(
        self,
        gateway: PaymentGateway,
        payment_request: PaymentRequest,
        clock: AdvancingClock,
        late: bool,
    ) -> None:
        intent = gateway.create(payment_request)
        beyond = self.tolerance + timedelta(seconds=2)
        if late:
            headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
            clock.advance(beyond)
        else:
            # Signed by a provider whose clock is ahead of the gateway's.
            clock.advance(beyond)
            headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
            clock.current = STARTED
        with pytest.raises(StaleNotificationError):
            gateway.verify_notification(headers, body)

    def test_a_notification_within_the_tolerance_verifies(
        self, gateway: PaymentGateway, payment_request: PaymentRequest, clock: AdvancingClock
    ) -> None:
        intent = gateway.create(payment_request)
        headers, body = self.signed_notification(gateway, intent, PaymentStatus.PAID)
        clock.advance(self.tolerance - timedelta(seconds=1))
        assert gateway.verify_notification(headers, body).payment_id == intent.payment_id

    # ------------------------------------------------------------------ refunds

    def test_partial_refunds_add_up_to_the_payment(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent, _ = self._paid(gateway, payment_request)
        part = _share(intent.amount, 3, 10)
        first = gateway.refund(RefundRequest(intent.payment_id, part, "one item", _key("r")))
        rest = intent.amount - part
        last = gateway.refund(RefundRequest(intent.payment_id, rest, "the rest", _key("r")))
        assert first.refund_id != last.refund_id
        assert (first.amount, first.total_refunded) == (part, part)
        assert (last.amount, last.total_refunded) == (rest, intent.amount)
        after = gateway.query(intent.payment_id)
        assert after.refunded == intent.amount
        assert after.status is PaymentStatus.REFUNDED

    def test_one_refund_key_refunds_once(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent, _ = self._paid(gateway, payment_request)
        part = _share(intent.amount, 6, 10)
        request = RefundRequest(intent.payment_id, part, "retried", _key("r"))
        first = gateway.refund(request)
        assert gateway.refund(request) == first
        assert gateway.query(intent.payment_id).refunded == part

    def test_a_refund_key_reused_for_another_refund_is_declined(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent, _ = self._paid(gateway, payment_request)
        key = _key("r")
        gateway.refund(RefundRequest(intent.payment_id, _share(intent.amount, 1, 10), "a", key))
        with pytest.raises(PaymentDeclinedError):
            gateway.refund(RefundRequest(intent.payment_id, _share(intent.amount, 2, 10), "a", key))

    def test_a_refund_above_what_is_left_is_refused_and_refunds_nothing(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent, _ = self._paid(gateway, payment_request)
        part = _share(intent.amount, 6, 10)
        left = intent.amount - part
        gateway.refund(RefundRequest(intent.payment_id, part, "a", _key("r")))
        too_much = left + _smallest(intent.amount)
        with pytest.raises(RefundExceedsPaymentError):
            gateway.refund(RefundRequest(intent.payment_id, too_much, "b", _key("r")))
        assert gateway.query(intent.payment_id).refunded == part
        gateway.refund(RefundRequest(intent.payment_id, left, "c", _key("r")))

    def test_an_unpaid_payment_has_nothing_to_refund(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        intent = gateway.create(payment_request)
        least = _smallest(intent.amount)
        with pytest.raises(RefundExceedsPaymentError):
            gateway.refund(RefundRequest(intent.payment_id, least, "x", _key("r")))

    def test_refund_refuses_an_unknown_payment(
        self, gateway: PaymentGateway, payment_request: PaymentRequest
    ) -> None:
        least = _smallest(payment_request.amount)
        request = RefundRequest("mallcore-no-such-payment", least, "x", _key("r"))
        with pytest.raises(UnknownPaymentError):
            gateway.refund(request)


class NonceStoreContract:
    """Behaviour shared by every :class:`~mallcore.ports.payment.NonceStore` adapter.

    Provide a ``nonces`` fixture returning a new, empty store, usable from any
    thread (the race test calls it from several at once)::

        class TestRedisNonceStore(NonceStoreContract):
            @pytest.fixture
            def nonces(self, redis_url: str) -> NonceStore:
                return RedisNonceStore(redis_url, prefix=uuid.uuid4().hex)
    """

    def test_a_nonce_is_new_once(self, nonces: NonceStore) -> None:
        keep = STARTED + timedelta(minutes=5)
        assert nonces.remember("nonce-0001", at=STARTED, keep_until=keep) is True
        assert nonces.remember("nonce-0001", at=STARTED, keep_until=keep) is False
        assert nonces.remember("nonce-0002", at=STARTED, keep_until=keep) is True

    def test_seen_tells_what_is_remembered_until_keep_until(self, nonces: NonceStore) -> None:
        keep = STARTED + timedelta(minutes=5)
        assert not nonces.seen("nonce-0001", at=STARTED)
        nonces.remember("nonce-0001", at=STARTED, keep_until=keep)
        assert nonces.seen("nonce-0001", at=STARTED)
        assert nonces.seen("nonce-0001", at=keep)
        assert not nonces.seen("nonce-0001", at=keep + timedelta(seconds=1))

    def test_a_nonce_past_keep_until_may_be_remembered_again(self, nonces: NonceStore) -> None:
        keep = STARTED + timedelta(minutes=5)
        nonces.remember("nonce-0001", at=STARTED, keep_until=keep)
        later = keep + timedelta(seconds=1)
        assert nonces.remember("nonce-0001", at=later, keep_until=later + timedelta(minutes=5))

    def test_naive_datetimes_are_refused(self, nonces: NonceStore) -> None:
        naive = datetime(2026, 11, 11, 20, 0)
        with pytest.raises(ConfigError):
            nonces.remember("nonce-0001", at=naive, keep_until=STARTED)
        with pytest.raises(ConfigError):
            nonces.remember("nonce-0001", at=STARTED, keep_until=naive)
        assert not nonces.seen("nonce-0001", at=STARTED)

    def test_of_racing_threads_exactly_one_remembers_a_nonce(self, nonces: NonceStore) -> None:
        start = threading.Barrier(THREADS)
        keep = STARTED + timedelta(minutes=5)

        def attempt(_: int) -> bool:
            start.wait(timeout=30)
            return nonces.remember("nonce-race", at=STARTED, keep_until=keep)

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(attempt, range(THREADS)))
        assert results.count(True) == 1
