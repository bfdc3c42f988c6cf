"""满包邮: a promotion that waives its lines' freight once its thresholds are met (stage 6)."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from mallcore.checks import check_amount, check_count
from mallcore.money import Currency, Money
from mallcore.promotions.reasons import Reason
from mallcore.shipping.regions import check_regions, is_within

__all__ = ["FreeShipping"]


def _regions(values: Iterable[str]) -> tuple[str, ...]:
    return check_regions("regions", values)


@attrs.frozen
class FreeShipping:
    """满包邮: waives its lines' freight when the thresholds (each optional) are met.

    ``min_amount`` compares the in-scope lines' net item amount after coupons
    (before points); ``min_quantity`` counts their pieces; ``regions`` limits
    it to addresses in (or below) those regions. Region codes are checked and
    normalised when it is built.
    """

    min_amount: Money | None = None
    min_quantity: int | None = None
    regions: tuple[str, ...] = attrs.field(default=(), converter=_regions)
    min_amount_minor: int | None = attrs.field(init=False, repr=False, eq=False)

    kind = "free_shipping"

    def __attrs_post_init__(self) -> None:
        if self.min_quantity is not None:
            check_count("min_quantity", self.min_quantity)
        amount = None if self.min_amount is None else check_amount("min_amount", self.min_amount)
        object.__setattr__(self, "min_amount_minor", amount)

    @property
    def currency(self) -> Currency | None:
        """The currency of ``min_amount``, if set."""
        return None if self.min_amount is None else self.min_amount.currency

    def qualifies(
        self, *, amount: int, quantity: int, region: str | None
    ) -> tuple[Reason | None, int | None]:
        """``(None, None)`` when it applies; else the first failing check and any shortfall."""
        if self.regions and (
            region is None or not any(is_within(region, code) for code in self.regions)
        ):
            return Reason.REGION_NOT_COVERED, None
        if self.min_amount_minor is not None and amount < self.min_amount_minor:
            return Reason.BELOW_THRESHOLD, self.min_amount_minor - amount
        if self.min_quantity is not None and quantity < self.min_quantity:
            return Reason.BELOW_THRESHOLD, None
        return None, None
