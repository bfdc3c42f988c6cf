"""Membership program rules as data: tiers and points settings (pydantic specs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, ValidationError, model_validator

from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier
from mallcore.rules import Amount, Percent, Spec, config_error

__all__ = ["MembershipSpec", "PointsSpec", "TierSpec", "load_membership"]


class TierSpec(Spec):
    """A tier: ``id``, ``min_growth``, optional member ``rate`` (percent units) and benefits."""

    id: str = Field(min_length=1)
    min_growth: int = Field(default=0, ge=0)
    rate: Percent | None = None
    points_multiplier: Amount = Decimal(1)
    free_shipping: bool = False

    def build(self) -> Tier:
        """The domain :class:`~mallcore.membership.tiers.Tier`."""
        return Tier(self.id, self.min_growth, self.rate, self.points_multiplier, self.free_shipping)


class PointsSpec(Spec):
    """Points settings: ``points_per_unit``, caps, ``min_points`` and ``earn_rate``."""

    points_per_unit: int = Field(default=100, ge=1)
    max_points_per_order: int | None = Field(default=None, ge=0)
    max_ratio: Percent = Decimal(50)
    min_points: int = Field(default=0, ge=0)
    earn_rate: Amount = Decimal(1)

    def build(self) -> PointsSettings:
        """The domain :class:`~mallcore.membership.points.PointsSettings`."""
        return PointsSettings(
            self.points_per_unit,
            self.max_points_per_order,
            self.max_ratio,
            self.min_points,
            self.earn_rate,
        )


class MembershipSpec(Spec):
    """``{tiers: [...], points: {...}}``; tier ids unique, growth thresholds increasing."""

    tiers: list[TierSpec] = []
    points: PointsSpec | None = None

    @model_validator(mode="after")
    def _tiers_ordered(self) -> MembershipSpec:
        ids = [tier.id for tier in self.tiers]
        if len(set(ids)) != len(ids):
            msg = f"tier ids must be unique, got {ids}"
            raise ValueError(msg)
        growth = [tier.min_growth for tier in self.tiers]
        if growth != sorted(growth) or len(set(growth)) != len(growth):
            msg = f"tiers must have strictly increasing min_growth, got {growth}"
            raise ValueError(msg)
        return self

    def build(self) -> tuple[tuple[Tier, ...], PointsSettings | None]:
        """The tiers and the points settings."""
        points = self.points.build() if self.points is not None else None
        return tuple(tier.build() for tier in self.tiers), points


def load_membership(data: Any) -> tuple[tuple[Tier, ...], PointsSettings | None]:
    """Validate a membership program and build its tiers and points settings.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    try:
        spec = MembershipSpec.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, "membership") from exc
    return spec.build()
