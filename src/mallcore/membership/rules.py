"""Membership program rules as data: tiers and points settings (pydantic specs).

The specs check the shape; :class:`~mallcore.membership.tiers.Tier` and
:class:`~mallcore.membership.points.PointsSettings` check the values, as they
do for a Python caller.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier, check_tier_ladder
from mallcore.rules import Amount, Count, Percent, Problems, Spec, config_error

__all__ = ["MembershipSpec", "PointsSpec", "TierSpec", "load_membership"]


class TierSpec(Spec):
    """A tier: ``id``, ``min_growth``, optional member ``rate`` (percent units) and benefits."""

    id: str
    min_growth: Count = 0
    rate: Percent | None = None
    points_multiplier: Amount = Decimal(1)
    free_shipping: bool = False

    def build(self) -> Tier:
        """The domain :class:`~mallcore.membership.tiers.Tier`."""
        return Tier(self.id, self.min_growth, self.rate, self.points_multiplier, self.free_shipping)


class PointsSpec(Spec):
    """Points settings: ``points_per_unit``, caps, ``min_points`` and ``earn_rate``."""

    points_per_unit: Count = 100
    max_points_per_order: Count | None = None
    max_ratio: Percent = Decimal(50)
    min_points: Count = 0
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
    """``{tiers: [...], points: {...}}``: tiers listed lowest first."""

    tiers: list[TierSpec] = []
    points: PointsSpec | None = None

    def build(
        self, problems: Problems, path: str
    ) -> tuple[tuple[Tier, ...], PointsSettings | None]:
        """The tiers and the points settings; problems noted under *path*."""
        built = [
            problems.build(f"{path}.tiers[{index}]", spec.build)
            for index, spec in enumerate(self.tiers)
        ]
        tiers = tuple(tier for tier in built if tier is not None)
        if len(tiers) == len(built):
            problems.build(f"{path}.tiers", lambda: check_tier_ladder(tiers))
        points = None
        if self.points is not None:
            points = problems.build(f"{path}.points", self.points.build)
        return tiers, points


def load_membership(data: Any) -> tuple[tuple[Tier, ...], PointsSettings | None]:
    """Validate a membership program and build its tiers and points settings.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    try:
        spec = MembershipSpec.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, "membership") from exc
    problems = Problems()
    program = spec.build(problems, "")
    problems.raise_for("membership")
    return program
