"""The shipped PaymentGateway and NonceStore contracts, run on the sandbox and the memory store."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from mallcore.adapters.memory import InMemoryNonceStore
from mallcore.adapters.sandbox_payment import SandboxGateway, SandboxPaymentFaults
from mallcore.clock import AdvancingClock
from mallcore.ports import NonceStore, PaymentGateway, PaymentIntent, PaymentStatus
from mallcore.testing.contracts import NonceStoreContract, PaymentGatewayContract

SECRET = b"contract-test-secret-0123456789"


class TestSandboxGateway(PaymentGatewayContract):
    @pytest.fixture
    def gateway(self, clock: AdvancingClock) -> PaymentGateway:
        return SandboxGateway(SECRET, clock)

    def signed_notification(
        self, gateway: PaymentGateway, intent: PaymentIntent, status: PaymentStatus
    ) -> tuple[Mapping[str, str], bytes]:
        assert isinstance(gateway, SandboxGateway)
        return gateway.notify(intent.payment_id, status)


class TestSandboxGatewayWithANoisyWebhookSender(TestSandboxGateway):
    """Duplicated, reversed deliveries must not change what the port promises."""

    @pytest.fixture
    def gateway(self, clock: AdvancingClock) -> PaymentGateway:
        faults = SandboxPaymentFaults(duplicate_notifications=True, out_of_order_notifications=True)
        return SandboxGateway(SECRET, clock, faults=faults)

    def signed_notification(
        self, gateway: PaymentGateway, intent: PaymentIntent, status: PaymentStatus
    ) -> tuple[Mapping[str, str], bytes]:
        assert isinstance(gateway, SandboxGateway)
        gateway.notify(intent.payment_id, status)
        # The latest notification comes first in a reversed feed.
        return gateway.deliveries(intent.payment_id)[0]


class TestInMemoryNonceStore(NonceStoreContract):
    @pytest.fixture
    def nonces(self) -> NonceStore:
        return InMemoryNonceStore()
