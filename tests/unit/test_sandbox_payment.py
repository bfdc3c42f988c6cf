"""The sandbox gateway: what it refuses in a notification, refunds, faults and the wire format."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mallcore.adapters.memory import InMemoryNonceStore
from mallcore.adapters.sandbox_payment import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SandboxGateway,
    SandboxPaymentFaults,
    sign,
)
from mallcore.clock import AdvancingClock
from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    ForgedSignatureError,
    InvalidTransitionError,
    MalformedNotificationError,
    PaymentDeclinedError,
    PaymentNotificationError,
    PaymentTimeoutError,
    RefundExceedsPaymentError,
    ReplayedNotificationError,
    StaleNotificationError,
    TamperedNotificationError,
    UnknownPaymentError,
)
from mallcore.money import Money, from_minor
from mallcore.ports import PaymentGateway, PaymentIntent, PaymentRequest, PaymentStatus
from mallcore.ports import RefundRequest as Refund

SECRET = b"unit-test-secret-0123456789abcdef"
NOW = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
Headers = dict[str, str]


def make_gateway(**kwargs: object) -> tuple[SandboxGateway, AdvancingClock, InMemoryNonceStore]:
    clock = AdvancingClock(NOW)
    nonces = InMemoryNonceStore()
    return SandboxGateway(SECRET, clock, nonces, **kwargs), clock, nonces  # type: ignore[arg-type]


def pay_request(
    key: str = "pay-1", amount: str = "100.00", currency: str = "CNY"
) -> PaymentRequest:
    return PaymentRequest("20261111200000ABCDEFGHJK", Money(amount, currency), "Tea", key)


@pytest.fixture
def sandbox() -> tuple[SandboxGateway, AdvancingClock, InMemoryNonceStore]:
    return make_gateway()


@pytest.fixture
def gateway(sandbox: tuple[SandboxGateway, AdvancingClock, InMemoryNonceStore]) -> SandboxGateway:
    return sandbox[0]


@pytest.fixture
def intent(gateway: SandboxGateway) -> PaymentIntent:
    return gateway.create(pay_request())


def state(gateway: SandboxGateway) -> tuple[object, ...]:
    """Everything a refused call must leave as it was."""
    assert isinstance(gateway.nonces, InMemoryNonceStore)
    return gateway.payments, gateway.refunds, len(gateway.nonces)


def paid(gateway: SandboxGateway, intent: PaymentIntent) -> PaymentIntent:
    gateway.verify_notification(*gateway.notify(intent.payment_id, "paid"))
    return gateway.query(intent.payment_id)


def body_with(**changes: object) -> Callable[[bytes], bytes]:
    """A change to a notification body: replace top-level or ``amount`` values, keep canonical."""

    def change(body: bytes) -> bytes:
        document = json.loads(body)
        for key, value in changes.items():
            if key in ("currency", "value"):
                document["amount"][key] = value
            else:
                document[key] = value
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    return change


# --------------------------------------------------------------------------- the port


def test_the_sandbox_is_a_payment_gateway(gateway: SandboxGateway) -> None:
    assert isinstance(gateway, PaymentGateway)


def test_the_secret_is_not_in_the_repr(gateway: SandboxGateway) -> None:
    assert SECRET.decode() not in repr(gateway)


@pytest.mark.parametrize("secret", [b"", "a text secret", None])
def test_a_secret_must_be_non_empty_bytes(secret: object) -> None:
    with pytest.raises(ConfigError, match="secret"):
        SandboxGateway(secret, AdvancingClock(NOW))  # type: ignore[arg-type]


def test_a_gateway_without_a_nonce_store_gets_its_own() -> None:
    gateway = SandboxGateway(SECRET, AdvancingClock(NOW))
    assert isinstance(gateway.nonces, InMemoryNonceStore)


# --------------------------------------------------------------------------- the wire format


def test_a_notification_is_canonical_json_signed_over_timestamp_nonce_and_body(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id, "paid")
    assert json.loads(body) == {
        "amount": {"currency": "CNY", "value": "100.00"},
        "occurred_at": "2026-11-11T20:00:00+00:00",
        "order_number": intent.order_number,
        "payment_id": intent.payment_id,
        "status": "paid",
    }
    assert b" " not in body
    assert headers[TIMESTAMP_HEADER] == str(int(NOW.timestamp()))
    message = f"{headers[TIMESTAMP_HEADER]}\n{headers[NONCE_HEADER]}\n".encode() + body
    assert headers[SIGNATURE_HEADER] == hmac.new(SECRET, message, hashlib.sha256).hexdigest()


def test_a_zero_decimal_currency_is_written_without_decimals(gateway: SandboxGateway) -> None:
    intent = gateway.create(pay_request(amount="1500", currency="JPY"))
    _, body = gateway.notify(intent.payment_id)
    assert json.loads(body)["amount"] == {"currency": "JPY", "value": "1500"}


def test_header_names_are_case_insensitive(gateway: SandboxGateway, intent: PaymentIntent) -> None:
    headers, body = gateway.notify(intent.payment_id)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert gateway.verify_notification(lowered, body).payment_id == intent.payment_id


def test_a_verified_notification_carries_its_nonce_as_its_id(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id, at=NOW - timedelta(minutes=1))
    notification = gateway.verify_notification(headers, body)
    assert notification.notification_id == headers[NONCE_HEADER]
    assert notification.occurred_at == NOW - timedelta(minutes=1)
    assert gateway.nonces.seen(headers[NONCE_HEADER], at=NOW)


# --------------------------------------------------------------------------- refused notifications


def refuse(
    gateway: SandboxGateway,
    headers: Headers,
    body: bytes,
    error: type[PaymentNotificationError],
    match: str | None = None,
) -> PaymentNotificationError:
    """Verify and expect *error*; check that nothing changed."""
    before = state(gateway)
    with pytest.raises(error, match=match) as caught:
        gateway.verify_notification(headers, body)
    assert state(gateway) == before
    return caught.value


def test_a_forged_signature_is_refused(gateway: SandboxGateway, intent: PaymentIntent) -> None:
    headers, body = gateway.notify(intent.payment_id)
    forged = dict(headers, **{SIGNATURE_HEADER: sign(b"another secret", "1", "nonce-01", body)})
    refuse(gateway, forged, body, ForgedSignatureError)
    # The genuine notification, with the nonce the forgery carried, still verifies.
    assert gateway.verify_notification(headers, body).status is PaymentStatus.PAID


@pytest.mark.parametrize("signature", ["", "zz" * 32, "ab" * 31, "é" * 64])
def test_a_signature_that_is_not_64_hex_digits_is_refused(
    gateway: SandboxGateway, intent: PaymentIntent, signature: str
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    error = ForgedSignatureError if signature else MalformedNotificationError
    refuse(gateway, dict(headers, **{SIGNATURE_HEADER: signature}), body, error)


def test_an_upper_case_signature_is_the_same_signature(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    upper = dict(headers, **{SIGNATURE_HEADER: headers[SIGNATURE_HEADER].upper()})
    assert gateway.verify_notification(upper, body).payment_id == intent.payment_id


def test_a_changed_amount_without_a_new_signature_is_forged(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    refuse(gateway, headers, body_with(value="1.00")(body), ForgedSignatureError)


@pytest.mark.parametrize("header", [TIMESTAMP_HEADER, NONCE_HEADER])
def test_a_changed_timestamp_or_nonce_is_forged(
    gateway: SandboxGateway, intent: PaymentIntent, header: str
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    other = "1778529601" if header == TIMESTAMP_HEADER else "0123456789abcdef"
    refuse(gateway, dict(headers, **{header: other}), body, ForgedSignatureError)


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(minutes=-5, seconds=-1),
        timedelta(minutes=5, seconds=1),
        timedelta(days=-1),
        timedelta(days=365),
    ],
    ids=["a second too old", "a second too far ahead", "a day old", "a year ahead"],
)
def test_a_timestamp_beyond_five_minutes_either_side_is_stale(
    gateway: SandboxGateway, intent: PaymentIntent, offset: timedelta
) -> None:
    _, body = gateway.notify(intent.payment_id)
    stale = gateway.signed_headers(body, sent_at=NOW + offset)
    error = refuse(gateway, stale, body, StaleNotificationError)
    assert isinstance(error, StaleNotificationError)
    assert (error.sent_at, error.now) == (NOW + offset, NOW)


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(minutes=5)])
def test_a_timestamp_exactly_five_minutes_away_still_verifies(
    gateway: SandboxGateway, intent: PaymentIntent, offset: timedelta
) -> None:
    _, body = gateway.notify(intent.payment_id)
    headers = gateway.signed_headers(body, sent_at=NOW + offset)
    assert gateway.verify_notification(headers, body).payment_id == intent.payment_id


def test_a_notification_checked_too_late_is_stale(
    sandbox: tuple[SandboxGateway, AdvancingClock, InMemoryNonceStore],
) -> None:
    gateway, clock, _ = sandbox
    intent = gateway.create(pay_request())
    headers, body = gateway.notify(intent.payment_id)
    clock.advance(minutes=6)
    refuse(gateway, headers, body, StaleNotificationError)


def test_a_replayed_nonce_is_refused(gateway: SandboxGateway, intent: PaymentIntent) -> None:
    headers, body = gateway.notify(intent.payment_id)
    gateway.verify_notification(headers, body)
    refuse(gateway, headers, body, ReplayedNotificationError, match=headers[NONCE_HEADER])


def test_a_nonce_used_once_is_refused_on_another_body_too(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    gateway.verify_notification(headers, body)
    other = gateway.create(pay_request("pay-2"))
    _, other_body = gateway.notify(other.payment_id)
    reused = gateway.signed_headers(other_body, nonce=headers[NONCE_HEADER])
    refuse(gateway, reused, other_body, ReplayedNotificationError)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "1.00"}, "amount"),
        ({"value": "100.01"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"currency": "JPY", "value": "100"}, "currency"),
        ({"order_number": "20261111200000ZZZZZZZZZZ"}, "order_number"),
    ],
    ids=["amount lowered", "amount raised", "currency", "currency and amount", "order"],
)
def test_a_signed_body_that_is_not_the_payment_is_tampered(
    gateway: SandboxGateway, intent: PaymentIntent, changes: dict[str, str], field: str
) -> None:
    _, body = gateway.notify(intent.payment_id)
    tampered = body_with(**changes)(body)
    # Signed with the real secret: what a leaked key or a provider bug would send.
    error = refuse(gateway, gateway.signed_headers(tampered), tampered, TamperedNotificationError)
    assert isinstance(error, TamperedNotificationError)
    assert (error.payment_id, error.field) == (intent.payment_id, field)


def test_a_signed_body_for_an_unknown_payment_is_refused(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    _, body = gateway.notify(intent.payment_id)
    unknown = body_with(payment_id="pay_nobody")(body)
    before = state(gateway)
    with pytest.raises(UnknownPaymentError):
        gateway.verify_notification(gateway.signed_headers(unknown), unknown)
    assert state(gateway) == before


MALFORMED_BODIES = {
    "not JSON": b"payment_id=pay_1&status=paid",
    "not UTF-8": b'{"status":"\xff"}',
    "a list": b"[]",
    "a key missing": b'{"amount":{"currency":"CNY","value":"100.00"},"status":"paid"}',
    "an extra key": None,  # built from the real body below
    "a duplicate key": None,
    "a number amount": None,
    "an exponent amount": None,
    "an unknown currency": None,
    "a refunded status": None,
    "a naive time": None,
    "empty": b"",
}


def malformed(name: str, body: bytes) -> bytes:
    document = json.loads(body)
    if name == "an extra key":
        document["extra"] = "x"
    elif name == "a duplicate key":
        return body[:-1] + b',"status":"failed"}'
    elif name == "a number amount":
        document["amount"]["value"] = 100
    elif name == "an exponent amount":
        document["amount"]["value"] = "1E+2"
    elif name == "an unknown currency":
        document["amount"]["currency"] = "RMB"
    elif name == "a refunded status":
        document["status"] = "refunded"
    elif name == "a naive time":
        document["occurred_at"] = "2026-11-11T20:00:00"
    else:
        fixed = MALFORMED_BODIES[name]
        assert fixed is not None
        return fixed
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.parametrize("name", MALFORMED_BODIES)
def test_a_signed_body_that_does_not_parse_is_malformed(
    gateway: SandboxGateway, intent: PaymentIntent, name: str
) -> None:
    _, body = gateway.notify(intent.payment_id)
    bad = malformed(name, body)
    refuse(gateway, gateway.signed_headers(bad), bad, MalformedNotificationError)


@pytest.mark.parametrize("header", [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER])
def test_a_missing_header_is_malformed(
    gateway: SandboxGateway, intent: PaymentIntent, header: str
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    del headers[header]
    refuse(gateway, headers, body, MalformedNotificationError, match=header)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (TIMESTAMP_HEADER, "2026-11-11T20:00:00Z"),
        (TIMESTAMP_HEADER, "+1778529600"),
        (TIMESTAMP_HEADER, "١٧٧٨٥٢٩٦٠٠"),  # Arabic-Indic digits, which int() would accept
        (TIMESTAMP_HEADER, "99999999999999"),
        (NONCE_HEADER, "short"),
        (NONCE_HEADER, "has spaces in it"),
    ],
)
def test_a_malformed_timestamp_or_nonce_is_refused(
    gateway: SandboxGateway, intent: PaymentIntent, header: str, value: str
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    refuse(gateway, dict(headers, **{header: value}), body, MalformedNotificationError)


def test_a_body_that_is_not_bytes_is_malformed(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    headers, body = gateway.notify(intent.payment_id)
    refuse(gateway, headers, body.decode(), MalformedNotificationError)  # type: ignore[arg-type]


def test_an_oversized_body_is_malformed(gateway: SandboxGateway, intent: PaymentIntent) -> None:
    gateway.notify(intent.payment_id)
    huge = b" " * (64 * 1024 + 1)
    refuse(gateway, gateway.signed_headers(huge), huge, MalformedNotificationError)


def test_every_refusal_is_a_payment_notification_error() -> None:
    for error in (
        ForgedSignatureError,
        StaleNotificationError,
        ReplayedNotificationError,
        TamperedNotificationError,
        MalformedNotificationError,
    ):
        assert issubclass(error, PaymentNotificationError)


# --------------------------------------------------------------------------- duplicates and order


def test_a_duplicated_delivery_is_verified_once(gateway: SandboxGateway) -> None:
    gateway.faults = SandboxPaymentFaults(duplicate_notifications=True)
    intent = gateway.create(pay_request())
    gateway.notify(intent.payment_id)
    first, second = gateway.deliveries(intent.payment_id)
    assert first == second
    assert gateway.verify_notification(*first).status is PaymentStatus.PAID
    refuse(gateway, *second, error=ReplayedNotificationError)


def test_out_of_order_deliveries_still_verify_and_say_when_each_happened(
    sandbox: tuple[SandboxGateway, AdvancingClock, InMemoryNonceStore],
) -> None:
    gateway, clock, _ = sandbox
    gateway.faults = SandboxPaymentFaults(out_of_order_notifications=True)
    intent = gateway.create(pay_request())
    gateway.notify(intent.payment_id, "failed")
    clock.advance(minutes=1)
    gateway.notify(intent.payment_id, "paid")
    verified = [
        gateway.verify_notification(*sent) for sent in gateway.deliveries(intent.payment_id)
    ]
    assert [n.status.value for n in verified] == ["paid", "failed"]
    latest = max(verified, key=lambda n: n.occurred_at)
    assert latest.status is PaymentStatus.PAID
    assert gateway.query(intent.payment_id).status is PaymentStatus.PAID


def test_a_paid_payment_gets_no_new_notification(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    with pytest.raises(InvalidTransitionError, match="paid"):
        gateway.notify(intent.payment_id, "failed")


def test_notify_refuses_an_unknown_payment_and_a_status_that_is_not_an_outcome(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    with pytest.raises(UnknownPaymentError):
        gateway.notify("pay_nobody")
    with pytest.raises(ConfigError, match="status"):
        gateway.notify(intent.payment_id, "refunded")


# --------------------------------------------------------------------------- create and faults


def test_create_is_idempotent_by_key(gateway: SandboxGateway) -> None:
    first = gateway.create(pay_request())
    assert gateway.create(pay_request()) == first
    assert len(gateway.payments) == 1
    with pytest.raises(PaymentDeclinedError, match="idempotency_key='pay-1'"):
        gateway.create(pay_request(amount="99.00"))


def test_the_next_create_declines_then_the_gateway_behaves(gateway: SandboxGateway) -> None:
    gateway.fail_next("create", "decline", reason="card declined")
    with pytest.raises(PaymentDeclinedError, match="card declined"):
        gateway.create(pay_request())
    assert gateway.payments == {}
    assert gateway.create(pay_request()).status is PaymentStatus.PENDING


def test_the_next_create_times_out_before_creating(gateway: SandboxGateway) -> None:
    gateway.fail_next("create", "timeout")
    with pytest.raises(PaymentTimeoutError) as caught:
        gateway.create(pay_request())
    assert isinstance(caught.value, TimeoutError)
    assert gateway.payments == {}


def test_a_lost_create_response_is_recovered_by_retrying_with_the_same_key(
    gateway: SandboxGateway,
) -> None:
    gateway.fail_next("create", "lost_response")
    with pytest.raises(PaymentTimeoutError):
        gateway.create(pay_request())
    [created] = gateway.payments.values()
    assert gateway.create(pay_request()) == created


def test_queued_faults_hit_one_call_each(gateway: SandboxGateway) -> None:
    gateway.fail_next("create", "timeout")
    gateway.fail_next("create", "decline")
    with pytest.raises(PaymentTimeoutError):
        gateway.create(pay_request())
    with pytest.raises(PaymentDeclinedError):
        gateway.create(pay_request())
    gateway.create(pay_request())


def test_standing_faults_hit_every_call_until_replaced(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    gateway.faults = SandboxPaymentFaults(timeout=True)
    for call in (
        lambda: gateway.create(pay_request("pay-2")),
        lambda: gateway.query(intent.payment_id),
        lambda: gateway.refund(Refund(intent.payment_id, Money("1", "CNY"), "x", "r-1")),
    ):
        with pytest.raises(PaymentTimeoutError):
            call()
    gateway.faults = SandboxPaymentFaults(decline="account frozen")
    with pytest.raises(PaymentDeclinedError, match="account frozen"):
        gateway.create(pay_request("pay-2"))
    gateway.faults = SandboxPaymentFaults()
    assert gateway.create(pay_request("pay-2")).payment_id != intent.payment_id


@pytest.mark.parametrize(
    ("operation", "fault"), [("query", "timeout"), ("create", "explode"), ("refund", "late")]
)
def test_fail_next_refuses_what_it_cannot_do(
    gateway: SandboxGateway, operation: str, fault: str
) -> None:
    with pytest.raises(ConfigError):
        gateway.fail_next(operation, fault)  # type: ignore[arg-type]


def test_create_and_refund_refuse_other_arguments(gateway: SandboxGateway) -> None:
    with pytest.raises(ConfigError, match="PaymentRequest"):
        gateway.create({"order_number": "o-1"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="RefundRequest"):
        gateway.refund("pay_1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- refunds


def test_refunds_are_idempotent_by_key(gateway: SandboxGateway, intent: PaymentIntent) -> None:
    paid(gateway, intent)
    request = Refund(intent.payment_id, Money("30.00", "CNY"), "damaged", "r-1")
    first = gateway.refund(request)
    assert gateway.refund(request) == first
    assert gateway.refunds == (first,)
    assert gateway.query(intent.payment_id).refunded == Money("30.00", "CNY")


def test_a_refund_key_reused_for_another_amount_is_declined_and_refunds_nothing(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    gateway.refund(Refund(intent.payment_id, Money("30.00", "CNY"), "damaged", "r-1"))
    before = state(gateway)
    with pytest.raises(PaymentDeclinedError, match="r-1"):
        gateway.refund(Refund(intent.payment_id, Money("40.00", "CNY"), "damaged", "r-1"))
    assert state(gateway) == before


def test_refunds_are_capped_at_the_paid_amount(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    gateway.refund(Refund(intent.payment_id, Money("60.00", "CNY"), "one", "r-1"))
    before = state(gateway)
    with pytest.raises(RefundExceedsPaymentError) as caught:
        gateway.refund(Refund(intent.payment_id, Money("40.01", "CNY"), "two", "r-2"))
    assert state(gateway) == before
    error = caught.value
    assert (error.payment_id, error.requested, error.refundable) == (
        intent.payment_id,
        Money("40.01", "CNY"),
        Money("40.00", "CNY"),
    )
    assert "40.01 CNY" in str(error)
    assert "40.00 CNY" in str(error)
    last = gateway.refund(Refund(intent.payment_id, Money("40.00", "CNY"), "two", "r-3"))
    assert last.total_refunded == intent.amount
    assert gateway.query(intent.payment_id).status is PaymentStatus.REFUNDED
    with pytest.raises(RefundExceedsPaymentError):
        gateway.refund(Refund(intent.payment_id, Money("0.01", "CNY"), "more", "r-4"))


@pytest.mark.parametrize("outcome", [None, "failed"])
def test_a_payment_that_was_not_paid_has_nothing_to_refund(
    gateway: SandboxGateway, intent: PaymentIntent, outcome: str | None
) -> None:
    if outcome is not None:
        gateway.notify(intent.payment_id, outcome)
    with pytest.raises(RefundExceedsPaymentError, match=r"only 0\.00 CNY"):
        gateway.refund(Refund(intent.payment_id, Money("0.01", "CNY"), "x", "r-1"))
    assert gateway.refunds == ()


def test_a_refund_in_another_currency_is_refused(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    with pytest.raises(CurrencyMismatchError, match="refund of payment"):
        gateway.refund(Refund(intent.payment_id, Money("1.00", "USD"), "x", "r-1"))


def test_a_refund_of_an_unknown_payment_is_refused(gateway: SandboxGateway) -> None:
    with pytest.raises(UnknownPaymentError):
        gateway.refund(Refund("pay_nobody", Money("1.00", "CNY"), "x", "r-1"))


def test_a_lost_refund_response_is_recovered_by_retrying_with_the_same_key(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    request = Refund(intent.payment_id, Money("100.00", "CNY"), "all", "r-1")
    gateway.fail_next("refund", "lost_response")
    with pytest.raises(PaymentTimeoutError):
        gateway.refund(request)
    [done] = gateway.refunds
    assert gateway.refund(request) == done
    assert gateway.query(intent.payment_id).refunded == intent.amount


def test_a_declined_or_timed_out_refund_refunds_nothing(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    request = Refund(intent.payment_id, Money("10.00", "CNY"), "x", "r-1")
    gateway.fail_next("refund", "decline")
    gateway.fail_next("refund", "timeout")
    for error in (PaymentDeclinedError, PaymentTimeoutError):
        with pytest.raises(error):
            gateway.refund(request)
    assert gateway.refunds == ()
    assert gateway.refund(request).total_refunded == Money("10.00", "CNY")


# Draws: (minor units to refund, which of five keys) per attempt.
ATTEMPTS = st.lists(st.tuples(st.integers(1, 6_000), st.integers(0, 4)), max_size=30)


@given(attempts=ATTEMPTS, currency=st.sampled_from(["CNY", "JPY", "KWD"]))
def test_partial_refunds_never_exceed_the_payment_and_a_key_never_refunds_twice(
    attempts: list[tuple[int, int]], currency: str
) -> None:
    gateway, _, _ = make_gateway()
    total = from_minor(10_000, currency)
    intent = gateway.create(PaymentRequest("o-1", total, "Tea", "pay-1"))
    paid(gateway, intent)
    by_key: dict[str, object] = {}
    for units, index in attempts:
        key = f"r-{index}"
        request = Refund(intent.payment_id, from_minor(units, currency), "partial", key)
        try:
            result = gateway.refund(request)
        except RefundExceedsPaymentError:
            assert key not in by_key
            continue
        except PaymentDeclinedError:
            # The key already refunded another amount.
            assert key in by_key
            continue
        assert by_key.setdefault(key, result) == result
    refunded = gateway.query(intent.payment_id).refunded
    assert len(gateway.refunds) == len(by_key)
    assert sum(r.amount.amount for r in gateway.refunds) == refunded.amount
    assert refunded <= total
    assert all(r.total_refunded <= total for r in gateway.refunds)


def test_racing_refunds_never_exceed_the_payment(
    gateway: SandboxGateway, intent: PaymentIntent
) -> None:
    paid(gateway, intent)
    start = threading.Barrier(16)

    def attempt(i: int) -> bool:
        start.wait(timeout=30)
        try:
            gateway.refund(Refund(intent.payment_id, Money("10.00", "CNY"), "race", f"r-{i}"))
        except RefundExceedsPaymentError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count(True) == 10
    assert gateway.query(intent.payment_id).status is PaymentStatus.REFUNDED


def test_the_payment_lifecycle_is_a_machine_the_sandbox_obeys() -> None:
    from mallcore.ports import PAYMENT_MACHINE

    assert PAYMENT_MACHINE.states == ("pending", "paid", "failed", "refunded")
    assert PAYMENT_MACHINE.actions("failed") == ("pay", "fail")
    assert PAYMENT_MACHINE.actions("paid") == ("refund_part", "refund_all")
    assert PAYMENT_MACHINE.actions("refunded") == ()
    gateway, _, _ = make_gateway()
    intent = gateway.create(pay_request())
    gateway.notify(intent.payment_id, "paid")
    with pytest.raises(InvalidTransitionError, match="paid"):
        gateway.notify(intent.payment_id, "failed")  # paid has no "fail" move
    assert gateway.query(intent.payment_id).status is PaymentStatus.PAID
