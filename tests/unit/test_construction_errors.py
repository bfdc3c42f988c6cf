"""Bad inputs are refused when the object is built, with a typed error that names the field.

Each input here was once accepted and priced, or crashed later with a builtin
exception. Where a scenario file can say the same thing, ``load_scenario``
must refuse it with the same error class and the same reason, led by the JSON
path of the value (one validation, two doors).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pytest

import mallcore
from mallcore.checks import MAX_LINES, MAX_QUANTITY
from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    InvalidAmountError,
    MallcoreError,
    RulesValidationError,
    UnknownCurrencyError,
)
from mallcore.money import Money
from mallcore.pricing import Cart, CartLine, CatalogItem, PricingContext
from mallcore.promotions import (
    Coupon,
    CouponKind,
    CouponTemplate,
    PercentOff,
    Promotion,
    SpendTier,
    ThresholdOff,
)

AT = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)

E = TypeVar("E", bound=MallcoreError)


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def refused(error_class: type[E], build: Callable[[], object]) -> E:
    """The error *build* raises, which must be exactly *error_class* (not a subclass or base)."""
    with pytest.raises(error_class) as info:
        build()
    assert type(info.value) is error_class, f"{type(info.value).__name__}: {info.value}"
    return info.value


def assert_names_field(error: MallcoreError, field: str, *, value: str, reason: str) -> None:
    """*error* names *field*, and its message shows *value* and the words of *reason*."""
    assert error.field == field
    assert error.reason is not None
    assert reason in error.reason
    message = str(error)
    assert field in message
    assert value in message
    assert reason in message


def scenario(
    *,
    skus: list[dict[str, Any]] | None = None,
    promotions: list[dict[str, Any]] | None = None,
    coupons: list[dict[str, Any]] | None = None,
    lines: list[dict[str, Any]] | None = None,
    currency: str = "CNY",
) -> dict[str, Any]:
    """A minimal valid scenario (one SKU ``A`` at 10.00, one unit in the cart), with changes."""
    return {
        "currency": currency,
        "at": "2026-11-11T20:00:00+08:00",
        "catalog": {"products": [{"id": "P", "skus": skus or [{"sku": "A", "price": "10.00"}]}]},
        "promotions": promotions or [],
        "coupons": coupons or [],
        "cart": {"lines": lines or [{"sku": "A", "quantity": 1}]},
    }


def assert_file_door_agrees(python_error: MallcoreError, data: dict[str, Any], path: str) -> None:
    """``load_scenario(data)`` raises *python_error*'s class and reason, under the JSON *path*."""
    assert python_error.field is not None
    assert python_error.reason is not None
    assert path.endswith(python_error.field)
    with pytest.raises(MallcoreError) as info:
        mallcore.load_scenario(data)
    file_error = info.value
    assert type(file_error) is type(python_error), f"{type(file_error).__name__}: {file_error}"
    message = str(file_error)
    assert message.startswith(f"{path}: "), message
    assert python_error.reason in message


# --------------------------------------------------------------------------- 1. catalog prices


def test_negative_catalog_price_is_refused_naming_the_sku_and_price() -> None:
    error = refused(InvalidAmountError, lambda: CatalogItem("A", "P", cny("-5.00")))
    assert_names_field(error, "price", value="-5.00", reason="must not be negative")
    assert "'A'" in str(error)


# --------------------------------------------------------------------------- 2. rule currencies


def _usd_percent_off() -> dict[str, Any]:
    promotion = Promotion("p10", PercentOff(Decimal(10), max_discount=Money("5", "USD")))
    return {"promotions": [promotion]}


def _usd_threshold_off() -> dict[str, Any]:
    ladder = ThresholdOff([SpendTier(Money("100", "USD"), Money("10", "USD"))])
    return {"promotions": [Promotion("ladder", ladder)]}


def _usd_coupon() -> dict[str, Any]:
    template = CouponTemplate(
        "T1", CouponKind.AMOUNT_OFF, amount_off=Money("10", "USD"), min_spend=Money("50", "USD")
    )
    return {"coupons": {"C1": Coupon("C1", template)}}


USD_RULES = [
    pytest.param(_usd_percent_off, "promotion 'p10'", id="percent_off-max_discount"),
    pytest.param(_usd_threshold_off, "promotion 'ladder'", id="threshold_off-tiers"),
    pytest.param(_usd_coupon, "coupon 'C1'", id="coupon-template"),
]


@pytest.mark.parametrize(("rules", "rule_name"), USD_RULES)
def test_usd_rule_in_a_cny_context_is_refused_when_the_context_is_built(
    rules: Callable[[], dict[str, Any]], rule_name: str
) -> None:
    kwargs = rules()  # the rule itself is consistent: only the context can see the clash
    error = refused(CurrencyMismatchError, lambda: PricingContext(currency="CNY", at=AT, **kwargs))
    assert (error.left, error.right) == ("CNY", "USD")
    message = str(error)
    assert rule_name in message
    assert "written in USD" in message


@pytest.mark.parametrize(("rules", "rule_name"), USD_RULES)
def test_usd_rule_in_a_cny_context_names_the_field_in_the_other_currency(
    rules: Callable[[], dict[str, Any]], rule_name: str
) -> None:
    kwargs = rules()
    error = refused(CurrencyMismatchError, lambda: PricingContext(currency="CNY", at=AT, **kwargs))
    assert (error.field, error.value) == ("currency", "USD")
    assert error.reason is not None
    assert "must be written in the cart currency CNY" in error.reason


# --------------------------------------------------------------------------- 3. 满10减50


def test_spend_tier_taking_off_more_than_its_threshold_is_refused() -> None:
    error = refused(ConfigError, lambda: SpendTier(cny("10"), cny("50")))
    assert_names_field(error, "amount_off", value="50", reason="must not exceed min_spend='10'")


def test_coupon_taking_off_more_than_its_min_spend_is_refused() -> None:
    error = refused(
        ConfigError,
        lambda: CouponTemplate(
            "T", CouponKind.AMOUNT_OFF, amount_off=cny("50"), min_spend=cny("10")
        ),
    )
    assert_names_field(error, "amount_off", value="50", reason="must not exceed min_spend='10'")


# --------------------------------------------------------------------------- 4. percentages


def test_percent_coupon_above_100_percent_is_refused() -> None:
    error = refused(
        ConfigError,
        lambda: CouponTemplate("T", CouponKind.PERCENT_OFF, percent_off=Decimal(150)),
    )
    assert_names_field(error, "percent_off", value="150", reason="must be at most 100")


# --------------------------------------------------------------------------- 5. empty ladder


def test_threshold_off_without_tiers_is_refused_when_built() -> None:
    # It once built fine and crashed at quote time with a bare ValueError from min().
    error = refused(ConfigError, lambda: ThresholdOff([]))
    assert_names_field(error, "tiers", value="[]", reason="must hold at least one entry")


# --------------------------------------------------------------------------- 6. empty coupons


@pytest.mark.parametrize(
    ("kind", "fields", "error_class", "field", "reason"),
    [
        pytest.param(
            CouponKind.AMOUNT_OFF, {}, ConfigError, "amount_off", "is needed", id="amount-missing"
        ),
        pytest.param(
            CouponKind.AMOUNT_OFF,
            {"amount_off": cny("0")},
            InvalidAmountError,
            "amount_off",
            "must be greater than 0",
            id="amount-zero",
        ),
        pytest.param(
            CouponKind.NO_THRESHOLD,
            {"amount_off": cny("0")},
            InvalidAmountError,
            "amount_off",
            "must be greater than 0",
            id="no-threshold-zero",
        ),
        pytest.param(
            CouponKind.SHIPPING,
            {"amount_off": cny("0")},
            InvalidAmountError,
            "amount_off",
            "must be greater than 0",
            id="shipping-zero",
        ),
        pytest.param(
            CouponKind.PERCENT_OFF,
            {},
            ConfigError,
            "percent_off",
            "is needed",
            id="percent-missing",
        ),
        pytest.param(
            CouponKind.PERCENT_OFF,
            {"percent_off": Decimal(0)},
            ConfigError,
            "percent_off",
            "must be greater than 0",
            id="percent-zero",
        ),
    ],
)
def test_coupon_template_with_nothing_to_discount_is_refused_when_built(
    kind: CouponKind,
    fields: dict[str, Any],
    error_class: type[MallcoreError],
    field: str,
    reason: str,
) -> None:
    error = refused(error_class, lambda: CouponTemplate("T", kind, **fields))
    assert error.field == field
    assert error.reason is not None
    assert reason in error.reason
    assert field in str(error)


# --------------------------------------------------------------------------- 7. negative tiers


@pytest.mark.parametrize(
    ("min_spend", "amount_off", "field", "value", "reason"),
    [
        pytest.param("-10", "5", "min_spend", "-10", "must not be negative", id="min_spend"),
        pytest.param("100", "-5", "amount_off", "-5", "must be greater than 0", id="amount_off"),
    ],
)
def test_negative_spend_tier_is_refused_instead_of_quoting_below_threshold(
    min_spend: str, amount_off: str, field: str, value: str, reason: str
) -> None:
    error = refused(InvalidAmountError, lambda: SpendTier(cny(min_spend), cny(amount_off)))
    assert_names_field(error, field, value=value, reason=reason)
    assert "below_threshold" not in str(error)


# --------------------------------------------------------------------------- 8. cart limits


@pytest.mark.parametrize(
    "quantity", [pytest.param(10**30, id="10**30"), pytest.param(MAX_QUANTITY + 1, id="max+1")]
)
@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda quantity: CartLine("A", quantity), id="CartLine"),
        pytest.param(
            lambda quantity: Cart([{"sku": "A", "quantity": quantity}]), id="cart-mapping"
        ),
    ],
)
def test_cart_line_quantity_above_max_quantity_is_refused(
    build: Callable[[int], object], quantity: int
) -> None:
    error = refused(ConfigError, lambda: build(quantity))
    assert_names_field(
        error, "quantity", value=str(quantity), reason=f"must be at most {MAX_QUANTITY:,}"
    )
    assert "'A'" in str(error)


def test_cart_line_of_exactly_max_quantity_is_accepted() -> None:
    assert Cart([CartLine("A", MAX_QUANTITY)]).lines[0].quantity == MAX_QUANTITY


def test_merged_lines_above_max_quantity_are_refused() -> None:
    # Two lines of one SKU merge into one line, which must stay within the limit too.
    error = refused(ConfigError, lambda: Cart([CartLine("A", MAX_QUANTITY), CartLine("A", 1)]))
    assert error.field == "quantity"
    assert error.value == MAX_QUANTITY + 1


def test_cart_with_more_than_max_lines_is_refused() -> None:
    lines = [CartLine(f"S{index}", 1) for index in range(MAX_LINES + 1)]
    error = refused(ConfigError, lambda: Cart(lines))
    assert_names_field(
        error, "lines", value=str(MAX_LINES + 1), reason=f"must hold at most {MAX_LINES:,} lines"
    )


def test_cart_with_exactly_max_lines_is_accepted() -> None:
    lines = [CartLine(f"S{index}", 1) for index in range(MAX_LINES)]
    assert len(Cart(lines).lines) == MAX_LINES


# --------------------------------------------------------------------------- 9. currencies


def test_unknown_currency_code_is_a_mallcore_error_not_py_moneyeds() -> None:
    error = refused(UnknownCurrencyError, lambda: Money("1", "XYZ"))
    assert_names_field(error, "currency", value="XYZ", reason="ISO 4217")


@pytest.mark.parametrize(
    ("combine", "operation"),
    [
        pytest.param(operator.add, "addition", id="add"),
        pytest.param(operator.sub, "subtraction", id="sub"),
        pytest.param(operator.lt, "comparison", id="lt"),
        pytest.param(operator.le, "comparison", id="le"),
        pytest.param(operator.gt, "comparison", id="gt"),
        pytest.param(operator.ge, "comparison", id="ge"),
    ],
)
def test_amounts_in_two_currencies_do_not_combine_or_compare(
    combine: Callable[[Money, Money], object], operation: str
) -> None:
    # CurrencyMismatchError subclasses TypeError, so pytest.raises alone would not tell them apart.
    error = refused(CurrencyMismatchError, lambda: combine(cny("1"), Money("1", "USD")))
    assert (error.left, error.right) == ("CNY", "USD")
    assert operation in str(error)


# --------------------------------------------------------------------------- 10. floats


def test_float_amount_is_refused_with_a_hint_to_write_a_string_or_decimal() -> None:
    error = refused(InvalidAmountError, lambda: Money(0.1, "CNY"))
    assert_names_field(error, "amount", value="0.1", reason="not a float")
    assert "decimal string" in str(error)
    assert "Decimal" in str(error)
    assert Money("0.1", "CNY") == Money(Decimal("0.1"), "CNY")


# --------------------------------------------------------------------------- the file door


def _threshold_off(min_spend: str, amount_off: str) -> list[dict[str, Any]]:
    tier = {"min_spend": min_spend, "amount_off": amount_off}
    return [{"id": "ladder", "kind": "threshold_off", "tiers": [tier]}]


def _many_skus(count: int) -> list[dict[str, Any]]:
    return [{"sku": f"S{index}", "price": "1.00"} for index in range(count)]


def _many_lines(count: int) -> list[dict[str, Any]]:
    return [{"sku": f"S{index}", "quantity": 1} for index in range(count)]


FILE_DOOR_CASES = [
    pytest.param(
        lambda: CatalogItem("A", "P", cny("-5.00")),
        scenario(skus=[{"sku": "A", "price": "-5.00"}]),
        "catalog.products[0].skus[0].price",
        id="1-negative-price",
    ),
    pytest.param(
        lambda: SpendTier(cny("10"), cny("50")),
        scenario(promotions=_threshold_off("10", "50")),
        "promotions[0].tiers[0].amount_off",
        id="3-tier-off-above-threshold",
    ),
    pytest.param(
        lambda: CouponTemplate(
            "T", CouponKind.AMOUNT_OFF, amount_off=cny("50"), min_spend=cny("10")
        ),
        scenario(
            coupons=[{"code": "C1", "kind": "amount_off", "amount_off": "50", "min_spend": "10"}]
        ),
        "coupons[0].amount_off",
        id="3-coupon-off-above-min-spend",
    ),
    pytest.param(
        lambda: CouponTemplate("T", CouponKind.PERCENT_OFF, percent_off=Decimal(150)),
        scenario(coupons=[{"code": "C1", "kind": "percent_off", "percent_off": "150"}]),
        "coupons[0].percent_off",
        id="4-percent-coupon-150",
    ),
    pytest.param(
        lambda: ThresholdOff([]),
        scenario(promotions=[{"id": "ladder", "kind": "threshold_off", "tiers": []}]),
        "promotions[0].tiers",
        id="5-no-tiers",
    ),
    pytest.param(
        lambda: CouponTemplate("T", CouponKind.AMOUNT_OFF),
        scenario(coupons=[{"code": "C1", "kind": "amount_off"}]),
        "coupons[0].amount_off",
        id="6-coupon-amount-missing",
    ),
    pytest.param(
        lambda: CouponTemplate("T", CouponKind.AMOUNT_OFF, amount_off=cny("0")),
        scenario(coupons=[{"code": "C1", "kind": "amount_off", "amount_off": "0"}]),
        "coupons[0].amount_off",
        id="6-coupon-amount-zero",
    ),
    pytest.param(
        lambda: SpendTier(cny("-10"), cny("5")),
        scenario(promotions=_threshold_off("-10", "5")),
        "promotions[0].tiers[0].min_spend",
        id="7-negative-min-spend",
    ),
    pytest.param(
        lambda: SpendTier(cny("100"), cny("-5")),
        scenario(promotions=_threshold_off("100", "-5")),
        "promotions[0].tiers[0].amount_off",
        id="7-negative-amount-off",
    ),
    pytest.param(
        lambda: CartLine("A", 10**30),
        scenario(lines=[{"sku": "A", "quantity": 10**30}]),
        "cart.lines[0].quantity",
        id="8-quantity-10**30",
    ),
    pytest.param(
        lambda: CartLine("A", MAX_QUANTITY + 1),
        scenario(lines=[{"sku": "A", "quantity": MAX_QUANTITY + 1}]),
        "cart.lines[0].quantity",
        id="8-quantity-max+1",
    ),
    pytest.param(
        lambda: Cart([CartLine(f"S{index}", 1) for index in range(MAX_LINES + 1)]),
        scenario(skus=_many_skus(MAX_LINES + 1), lines=_many_lines(MAX_LINES + 1)),
        "cart.lines",
        id="8-too-many-lines",
    ),
]


@pytest.mark.parametrize(("build", "data", "path"), FILE_DOOR_CASES)
def test_file_door_refuses_the_same_value_with_the_same_error_and_its_json_path(
    build: Callable[[], object], data: dict[str, Any], path: str
) -> None:
    with pytest.raises(MallcoreError) as info:
        build()
    assert_file_door_agrees(info.value, data, path)


def test_file_door_accepts_exactly_max_quantity_and_max_lines() -> None:
    loaded = mallcore.load_scenario(scenario(lines=[{"sku": "A", "quantity": MAX_QUANTITY}]))
    assert loaded.cart.lines[0].quantity == MAX_QUANTITY
    many = scenario(skus=_many_skus(MAX_LINES), lines=_many_lines(MAX_LINES))
    assert len(mallcore.load_scenario(many).cart.lines) == MAX_LINES


def test_file_door_refuses_a_float_amount_and_says_to_write_a_string() -> None:
    # The file's shape check refuses it before any Money is built (docs/reference/errors.rst).
    with pytest.raises(RulesValidationError) as info:
        mallcore.load_scenario(scenario(skus=[{"sku": "A", "price": 0.1}]))
    (problem,) = info.value.problems
    assert problem.startswith("catalog.products[0].skus[0].price: ")
    assert "float" in problem
    assert "as strings" in problem


def test_file_door_refuses_an_unknown_currency_under_its_json_path() -> None:
    error = refused(UnknownCurrencyError, lambda: Money("1", "XYZ"))
    assert_file_door_agrees(error, scenario(currency="XYZ"), "currency")
