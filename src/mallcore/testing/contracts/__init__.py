"""Contract tests that every adapter of a mallcore port must pass.

Subclass a contract in your own test suite and provide the fixture it names;
pytest then runs the whole contract against your adapter.
"""

from mallcore.testing.contracts._carrier import CarrierContract
from mallcore.testing.contracts._inventory import InventoryStoreContract
from mallcore.testing.contracts._membership import (
    CONTRACT_TIERS,
    MemberRepositoryContract,
    PointsLedgerStoreContract,
)
from mallcore.testing.contracts._payment import NonceStoreContract, PaymentGatewayContract
from mallcore.testing.contracts._storage import (
    CONTRACT_SCENARIO,
    CouponStoreContract,
    IdempotencyStoreContract,
    OrderRepositoryContract,
    ProductRepositoryContract,
    UnitOfWorkContract,
    contract_order,
    contract_quote,
)

__all__ = [
    "CONTRACT_SCENARIO",
    "CONTRACT_TIERS",
    "CarrierContract",
    "CouponStoreContract",
    "IdempotencyStoreContract",
    "InventoryStoreContract",
    "MemberRepositoryContract",
    "NonceStoreContract",
    "OrderRepositoryContract",
    "PaymentGatewayContract",
    "PointsLedgerStoreContract",
    "ProductRepositoryContract",
    "UnitOfWorkContract",
    "contract_order",
    "contract_quote",
]
