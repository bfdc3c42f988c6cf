"""Membership program rules as data: tiers, points settings and whole programmes (pydantic specs).

The specs check the shape; :class:`~mallcore.membership.tiers.Tier` and
:class:`~mallcore.membership.points.PointsSettings` check the values, as they
do for a Python caller.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from mallcore.membership.account import TierPolicy
from mallcore.membership.earning import EarningRules, MissedDay, SignInRule
from mallcore.membership.ledger import Expiry, LedgerPolicy
from mallcore.membership.points import PointsSettings
from mallcore.membership.programme import Programme
from mallcore.membership.tiers import Tier, check_tier_ladder
from mallcore.rules import Amount, Count, Percent, Problems, Spec, config_error

__all__ = [
    "EarningSpec",
    "ExpirySpec",
    "MembershipSpec",
    "PointsSpec",
    "ProgrammeSpec",
    "SignInSpec",
    "TierSpec",
    "load_membership",
    "load_programme",
]


class TierSpec(Spec):
    """A tier: ``id``, ``min_growth``, optional member ``rate`` (percent units) and benefits."""

    id: str
    min_growth: Count = 0
    rate: Percent | None = None
    points_multiplier: Amount = Decimal(1)
    free_shipping: bool = False
    birthday_coupon: str | None = None
    coupon_templates: list[str] = []

    def build(self) -> Tier:
        """The domain :class:`~mallcore.membership.tiers.Tier`."""
        return Tier(
            self.id,
            self.min_growth,
            self.rate,
            self.points_multiplier,
            self.free_shipping,
            self.birthday_coupon,
            tuple(self.coupon_templates),
        )


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
        prefix = f"{path}." if path else ""
        built = [
            problems.build(f"{prefix}tiers[{index}]", spec.build)
            for index, spec in enumerate(self.tiers)
        ]
        tiers = tuple(tier for tier in built if tier is not None)
        if len(tiers) == len(built):
            problems.build(f"{prefix}tiers", lambda: check_tier_ladder(tiers))
        points = None
        if self.points is not None:
            points = problems.build(f"{prefix}points", self.points.build)
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


class ExpirySpec(Spec):
    """``{rule: months | end_of_following_year, months: 12}``."""

    rule: Expiry = Expiry.MONTHS
    months: Count = 12

    def build(self) -> LedgerPolicy:
        """The domain :class:`~mallcore.membership.ledger.LedgerPolicy`."""
        return LedgerPolicy(self.rule, self.months)


class SignInSpec(Spec):
    """``{base: 5, streak_bonus: {"7": 30}, missed: reset | keep}``."""

    base: Count = 5
    streak_bonus: dict[int, Count] = {}
    missed: MissedDay = MissedDay.RESET

    def build(self) -> SignInRule:
        """The domain :class:`~mallcore.membership.earning.SignInRule`."""
        return SignInRule(self.base, self.streak_bonus, self.missed)


class EarningSpec(Spec):
    """Points for ``registration``, ``review``, ``share`` and the daily ``sign_in``."""

    registration: Count = 0
    review: Count = 0
    share: Count = 0
    sign_in: SignInSpec | None = None


class ProgrammeSpec(Spec):
    """A whole programme: tiers, ``tier_policy``, ``points``, ``expiry``, ``earning``."""

    tiers: list[TierSpec]
    tier_policy: TierPolicy = TierPolicy.IMMEDIATE
    points: PointsSpec = PointsSpec()
    expiry: ExpirySpec = ExpirySpec()
    earning: EarningSpec = EarningSpec()
    growth_per_major: Count = 1


def load_programme(data: Any) -> Programme:
    """Validate a membership programme file (a dict) and build its :class:`Programme`.

    >>> programme = load_programme({
    ...     "tiers": [{"id": "member"}, {"id": "gold", "min_growth": 2000, "rate": "95",
    ...                "birthday_coupon": "BDAY20"}],
    ...     "tier_policy": "hold_until_period_end",
    ...     "expiry": {"rule": "end_of_following_year"},
    ...     "earning": {"registration": 100, "sign_in": {"base": 5, "streak_bonus": {"7": 30}}},
    ... })
    >>> programme.tiers[1].birthday_coupon, programme.earning.sign_in.streak_bonus[7]
    ('BDAY20', 30)

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    try:
        spec = ProgrammeSpec.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, "programme") from exc
    problems = Problems()
    tiers, _ = MembershipSpec(tiers=spec.tiers).build(problems, "")
    points = problems.build("points", spec.points.build)
    ledger = problems.build("expiry", spec.expiry.build)
    sign_in = None
    if spec.earning.sign_in is not None:
        sign_in = problems.build("earning.sign_in", spec.earning.sign_in.build)
    earning = problems.build(
        "earning",
        lambda: EarningRules(
            spec.earning.registration, spec.earning.review, spec.earning.share, sign_in
        ),
    )
    problems.raise_for("programme")
    assert points is not None and ledger is not None and earning is not None
    built = problems.build(
        "",
        lambda: Programme(tiers, spec.tier_policy, points, ledger, earning, spec.growth_per_major),
    )
    problems.raise_for("programme")
    assert built is not None
    return built
