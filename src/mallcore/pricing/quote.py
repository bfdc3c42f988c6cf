"""The result of pricing a cart: lines, adjustments, rejections, and how to read them.

A :class:`Quote` keeps its lines as :class:`LineColumns` (one list per value,
in minor units) and builds :class:`QuoteLine` objects, whose public fields are
:class:`~mallcore.money.Money`, when :attr:`Quote.lines` is first read: a
quote of many lines costs no Money objects until someone reads one.
"""

from __future__ import annotations

import enum
import functools
import html
from decimal import Decimal
from itertools import repeat
from typing import Any, Final, NamedTuple

import attrs

from mallcore.membership.account import growth_shares
from mallcore.membership.distribution import CommissionPlan
from mallcore.money import (
    DEFAULT_LOCALE,
    Currency,
    Money,
    format_money,
    from_minor,
    minor_units,
    units_per_major,
)
from mallcore.pricing import _html
from mallcore.promotions.reasons import Reason

__all__ = [
    "Adjustment",
    "LineColumns",
    "Quote",
    "QuoteLine",
    "Rejection",
    "Stage",
    "decimal_text",
]


class Stage(enum.StrEnum):
    """The quote's stages that write adjustments, in the order they run.

    A stage is a :class:`str` (``Stage.COUPONS == "coupons"``); :attr:`sign`
    says whether its adjustments subtract from or add to the price.
    """

    ITEM_PRICE = "item_price"
    PROMOTIONS = "promotions"
    COUPONS = "coupons"
    POINTS = "points"
    SHIPPING = "shipping"
    SHIPPING_DISCOUNT = "shipping_discount"
    TAX = "tax"

    @property
    def sign(self) -> int:
        """``+1`` for freight and added tax, ``-1`` for every discount."""
        return 1 if self in (Stage.SHIPPING, Stage.TAX) else -1


def decimal_text(units: int, places: int) -> str:
    """``1234, 2 -> '12.34'``: exactly *places* decimals, no float on the way.

    >>> decimal_text(1234, 2), decimal_text(-5, 3), decimal_text(7, 0)
    ('12.34', '-0.005', '7')
    """
    if places == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


class _Texts(dict[int, str]):
    """Minor units → decimal text for one number of places, memoised (amounts repeat a lot).

    A dict with ``__missing__`` keeps the common case, a hit, at C speed.
    """

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def __missing__(self, units: int) -> str:
        if len(self) > 65536:
            self.clear()
        text = self[units] = decimal_text(units, self.places)
        return text


@functools.lru_cache(maxsize=8)
def _texts(places: int) -> _Texts:
    return _Texts(places)


class Adjustment(NamedTuple):
    """One change to the price by one source in one stage, split over lines.

    Attributes:
        source: ``promotion:ID``, ``coupon:CODE``, ``member:TIER``, ``points``,
            ``freight:TEMPLATE``, ``tax``.
        stage: The :class:`Stage`; its sign says whether the amount subtracts or adds.
        amount_minor: The whole amount, non-negative, in minor units.
        lines: ``(line key, share in minor units)`` pairs; the shares sum to the amount.
        currency: The quote's currency.
        base_minor: The amount the rule looked at (its threshold base), if any.
    """

    source: str
    stage: Stage
    amount_minor: int
    lines: tuple[tuple[str, int], ...]
    currency: Currency
    base_minor: int | None = None

    @property
    def amount(self) -> Money:
        """The whole amount."""
        return from_minor(self.amount_minor, self.currency)

    @property
    def shares(self) -> dict[str, Money]:
        """Line key → share."""
        return {key: from_minor(units, self.currency) for key, units in self.lines}


class Rejection(NamedTuple):
    """A promotion or coupon that gave nothing, and why.

    Attributes:
        source: ``promotion:ID`` or ``coupon:CODE``.
        reason: The first check it failed (a :class:`~mallcore.promotions.Reason`).
        shortfall_minor: For a money threshold, how much more spend reaches it.
        currency: The quote's currency.
        line: The line it concerns, when it concerns one.
    """

    source: str
    reason: Reason
    shortfall_minor: int | None
    currency: Currency
    line: str | None = None

    @property
    def shortfall(self) -> Money | None:
        """How much more the customer must spend ("spend ¥12.30 more"), if a money threshold."""
        if self.shortfall_minor is None:
            return None
        return from_minor(self.shortfall_minor, self.currency)


@attrs.frozen
class LineColumns:
    """A quote's per-line values: one list per value, in cart order, gift lines last.

    Amounts are minor units of the quote's currency; ``paid`` obeys the line
    identity ``paid = list_subtotal - item_discount - promotion_discount -
    coupon_discount - points_deduction + shipping (+ tax when added)``. The
    lists are the quote's own: read them, do not change them.
    """

    key: list[str]
    sku: list[str]
    quantity: list[int]
    list_price: list[int]
    list_subtotal: list[int]
    item_discount: list[int]
    promotion_discount: list[int]
    coupon_discount: list[int]
    points_deduction: list[int]
    shipping: list[int]
    tax: list[int]
    points_earned: list[int]
    activity: list[bool]
    gift: list[bool]
    paid: list[int]
    tax_added: bool = False


#: The amount columns of :class:`LineColumns` that :meth:`Quote.to_dict` writes per line.
_AMOUNT_COLUMNS: Final = (
    "list_price",
    "list_subtotal",
    "item_discount",
    "promotion_discount",
    "coupon_discount",
    "points_deduction",
    "shipping",
    "tax",
    "paid",
)


@attrs.frozen
class QuoteLine:
    """One priced line; amounts are Money, with each in minor units as ``*_minor``.

    ``paid`` obeys the line identity: ``list_subtotal - item_discount -
    promotion_discount - coupon_discount - points_deduction + shipping``, plus
    ``tax`` when tax is added (exclusive and cross-border modes).
    """

    key: str
    sku: str
    quantity: int
    list_price: Money
    list_subtotal: Money
    item_discount: Money
    promotion_discount: Money
    coupon_discount: Money
    points_deduction: Money
    shipping: Money
    tax: Money
    paid: Money
    tax_added: bool = False
    points_earned: int = 0
    activity: bool = False
    gift: bool = False

    @property
    def currency(self) -> Currency:
        """The quote's currency."""
        return self.paid.currency

    def _minor(self, amount: Money) -> int:
        return int(amount.amount.scaleb(minor_units(amount.currency)))

    @property
    def list_price_minor(self) -> int:
        """Unit list price (after quantity tiers), in minor units."""
        return self._minor(self.list_price)

    @property
    def list_subtotal_minor(self) -> int:
        """Unit list price × quantity, in minor units."""
        return self._minor(self.list_subtotal)

    @property
    def item_discount_minor(self) -> int:
        """Stage 2's discount, in minor units."""
        return self._minor(self.item_discount)

    @property
    def promotion_discount_minor(self) -> int:
        """Stage 3's discount, in minor units."""
        return self._minor(self.promotion_discount)

    @property
    def coupon_discount_minor(self) -> int:
        """Stage 4's discount, in minor units."""
        return self._minor(self.coupon_discount)

    @property
    def points_deduction_minor(self) -> int:
        """Stage 5's deduction, in minor units."""
        return self._minor(self.points_deduction)

    @property
    def shipping_minor(self) -> int:
        """Freight net of shipping discounts, in minor units."""
        return self._minor(self.shipping)

    @property
    def tax_minor(self) -> int:
        """The tax part (inclusive) or the tax added, in minor units."""
        return self._minor(self.tax)

    @property
    def paid_minor(self) -> int:
        """What the line pays, in minor units."""
        return self._minor(self.paid)

    @property
    def net_items(self) -> Money:
        """The item amount after points, without shipping and added tax."""
        return (
            self.list_subtotal
            - (self.item_discount + self.promotion_discount + self.coupon_discount)
            - self.points_deduction
        )

    @property
    def net_items_minor(self) -> int:
        """The item amount after points, in minor units."""
        return self._minor(self.net_items)

    def to_dict(self) -> dict[str, Any]:
        """The line as in :meth:`Quote.to_dict`."""
        places = minor_units(self.currency)
        line: dict[str, Any] = {"sku": self.key, "quantity": self.quantity}
        for name in _AMOUNT_COLUMNS:
            line[name] = decimal_text(self._minor(getattr(self, name)), places)
        line["points_earned"] = self.points_earned
        return line


@attrs.frozen
class Quote:
    """A priced cart with its explanation.

    Order totals are sums over lines, except ``shipping`` (gross freight) and
    ``shipping_discount`` (what was waived), which come from the adjustments.
    """

    currency: Currency
    columns: LineColumns
    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]
    points_used: int = 0

    @functools.cached_property
    def lines(self) -> tuple[QuoteLine, ...]:
        """The priced lines, in cart order (gift lines last)."""
        c, currency = self.columns, self.currency

        def money(column: list[int]) -> list[Money]:
            return [from_minor(units, currency) for units in column]

        columns = zip(
            c.key,
            c.sku,
            c.quantity,
            money(c.list_price),
            money(c.list_subtotal),
            money(c.item_discount),
            money(c.promotion_discount),
            money(c.coupon_discount),
            money(c.points_deduction),
            money(c.shipping),
            money(c.tax),
            money(c.paid),
            c.points_earned,
            c.activity,
            c.gift,
            strict=True,
        )
        return tuple(
            QuoteLine(
                key=key,
                sku=sku,
                quantity=quantity,
                list_price=list_price,
                list_subtotal=list_subtotal,
                item_discount=item,
                promotion_discount=promotion,
                coupon_discount=coupon,
                points_deduction=points,
                shipping=shipping,
                tax=tax,
                paid=paid,
                tax_added=c.tax_added,
                points_earned=earned,
                activity=activity,
                gift=gift,
            )
            for (
                key,
                sku,
                quantity,
                list_price,
                list_subtotal,
                item,
                promotion,
                coupon,
                points,
                shipping,
                tax,
                paid,
                earned,
                activity,
                gift,
            ) in columns
        )

    def _stage_total(self, stage: Stage) -> int:
        return sum(adj.amount_minor for adj in self.adjustments if adj.stage is stage)

    @property
    def total_minor(self) -> int:
        """What the customer pays, in minor units."""
        return sum(self.columns.paid)

    @property
    def total(self) -> Money:
        """What the customer pays."""
        return from_minor(self.total_minor, self.currency)

    @property
    def shipping(self) -> Money:
        """Gross freight before shipping discounts."""
        return from_minor(self._stage_total(Stage.SHIPPING), self.currency)

    @property
    def shipping_discount(self) -> Money:
        """Freight waived by free-shipping promotions, shipping coupons and tier benefits."""
        return from_minor(self._stage_total(Stage.SHIPPING_DISCOUNT), self.currency)

    @property
    def points_earned(self) -> int:
        """Points the order earns once paid."""
        return sum(self.columns.points_earned)

    def items_paid_minor(self) -> list[int]:
        """What each line paid for its items, freight excluded, in minor units (cart order)."""
        columns = self.columns
        return [
            paid - shipping for paid, shipping in zip(columns.paid, columns.shipping, strict=True)
        ]

    def growth_earned(self, per_major: int = 1) -> dict[str, int]:
        """Stage 8: the growth value (成长值) each line earns once paid, by line key.

        ``floor`` of the whole major units the items paid (freight excluded)
        times *per_major*, split across the lines by what each paid; the same
        split an order uses to claw growth back on refunds.
        """
        shares = growth_shares(self.items_paid_minor(), units_per_major(self.currency), per_major)
        return dict(zip(self.columns.key, shares, strict=True))

    def brokerage_preview(self, plan: CommissionPlan) -> dict[str, list[int]]:
        """Stage 8: what each level of promoters would earn on each line under *plan* (minor units).

        A preview: who earns it depends on the buyer's promoters, and refunds
        reduce it before it becomes available.
        """
        columns = self.columns
        return {
            key: plan.preview(paid, units)
            for key, paid, units in zip(
                columns.key, self.items_paid_minor(), columns.quantity, strict=True
            )
        }

    def amount(self, name: str) -> Money:
        """An order total by name: ``list_subtotal``, ``item_discount``, ``coupon_discount``, ...

        Raises:
            KeyError: For a name that is not one of the summed line amounts.
        """
        if name not in _AMOUNT_COLUMNS or name in ("list_price", "paid", "shipping"):
            msg = f"{name!r} is not a summed line amount; use total, shipping or shipping_discount"
            raise KeyError(msg)
        return from_minor(sum(getattr(self.columns, name)), self.currency)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the quote in the file contract, amounts as decimal strings.

        Keys: ``currency``; ``lines`` (``sku``, ``quantity``, ``list_price``,
        ``list_subtotal``, ``item_discount``, ``promotion_discount``,
        ``coupon_discount``, ``points_deduction``, ``shipping``, ``tax``,
        ``paid``, ``points_earned``); the order totals; ``adjustments``
        (``source``, ``stage``, ``amount``, ``lines``); ``rejected``
        (``source``, ``reason``, optional ``shortfall`` and ``line``). Every
        amount has exactly the currency's minor digits.
        """
        places = minor_units(self.currency)
        text = _texts(places)
        get = text.__getitem__
        c = self.columns
        count = len(c.key)
        zero = get(0)
        # Column-wise, one text lookup per value at C speed; columns of zeros
        # (no tax, no points, ...) are common and cost one any() each.
        texts = [
            map(get, column) if any(column) else repeat(zero, count)
            for column in (
                c.list_price,
                c.list_subtotal,
                c.item_discount,
                c.promotion_discount,
                c.coupon_discount,
                c.points_deduction,
                c.shipping,
                c.tax,
                c.paid,
            )
        ]
        lines = [
            {
                "sku": s,
                "quantity": q,
                "list_price": lp,
                "list_subtotal": ls,
                "item_discount": it,
                "promotion_discount": pr,
                "coupon_discount": co,
                "points_deduction": po,
                "shipping": sh,
                "tax": tx,
                "paid": pa,
                "points_earned": pe,
            }
            for s, q, lp, ls, it, pr, co, po, sh, tx, pa, pe in zip(
                c.key, c.quantity, *texts, c.points_earned, strict=True
            )
        ]
        shipping = shipping_discount = 0
        for adj in self.adjustments:
            if adj.stage is Stage.SHIPPING:
                shipping += adj.amount_minor
            elif adj.stage is Stage.SHIPPING_DISCOUNT:
                shipping_discount += adj.amount_minor
        return {
            "currency": self.currency.code,
            "lines": lines,
            "list_subtotal": get(sum(c.list_subtotal)),
            "item_discount": get(sum(c.item_discount)),
            "promotion_discount": get(sum(c.promotion_discount)),
            "coupon_discount": get(sum(c.coupon_discount)),
            "points_used": self.points_used,
            "points_deduction": get(sum(c.points_deduction)),
            "shipping": get(shipping),
            "shipping_discount": get(shipping_discount),
            "tax": get(sum(c.tax)),
            "total": get(sum(c.paid)),
            "points_earned": sum(c.points_earned),
            "adjustments": [
                {
                    "source": adj.source,
                    "stage": adj.stage.value,
                    "amount": get(adj.amount_minor),
                    "lines": {key: get(units) for key, units in adj.lines},
                }
                for adj in self.adjustments
            ],
            "rejected": [_rejection_dict(rej, text) for rej in self.rejected],
        }

    def explain(self, locale: str = DEFAULT_LOCALE) -> str:
        """A readable account of the stages in the order they ran, amounts shown for *locale*."""

        def money(units: int) -> str:
            return format_money(from_minor(units, self.currency), locale)

        c = self.columns
        out = [f"Quote in {self.currency.code}: {len(c.key)} line(s)"]
        for key, quantity, unit, subtotal in zip(
            c.key, c.quantity, c.list_price, c.list_subtotal, strict=True
        ):
            out.append(f"  {key}: {quantity} × {money(unit)} = {money(subtotal)}")
        for stage in Stage:
            adjustments = [adj for adj in self.adjustments if adj.stage is stage]
            if not adjustments:
                continue
            out.append(f"{stage.value}:")
            symbol = "+" if stage.sign > 0 else "-"
            for adj in adjustments:
                base = f" on {money(adj.base_minor)}" if adj.base_minor is not None else ""
                split = ", ".join(f"{key} {money(units)}" for key, units in adj.lines)
                out.append(f"  {adj.source}{base}: {symbol}{money(adj.amount_minor)} → {split}")
        if self.points_used:
            out.append(f"points used: {self.points_used}")
        for rej in self.rejected:
            short = (
                f", spend {money(rej.shortfall_minor)} more"
                if rej.shortfall_minor is not None
                else ""
            )
            out.append(f"not applied: {rej.source}: {rej.reason.value}{short}")
        out.append(f"total: {money(self.total_minor)}")
        if self.points_earned:
            out.append(f"points earned: {self.points_earned}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        """The quote as HTML for notebooks: lines, adjustments by stage, rejections, total.

        Amounts are formatted as :meth:`explain` formats them (the default
        locale, the currency's symbol). The lines table leaves out the
        discount, points, shipping and tax columns that are zero on every
        line; the adjustments table gives each adjustment's stage, the base
        it looked at, the signed amount and its split over the lines.
        """
        c, currency = self.columns, self.currency

        def money(units: int) -> str:
            return _html.money(units, currency)

        optional = [
            (name, label)
            for name, label in (
                ("item_discount", "item discount"),
                ("promotion_discount", "promotions"),
                ("coupon_discount", "coupons"),
                ("points_deduction", "points"),
                ("shipping", "shipping"),
                ("tax", "tax"),
            )
            if any(getattr(c, name))
        ]
        head = ["line", "qty", "unit price", "list", *(label for _, label in optional), "paid"]
        rows = [
            [
                c.key[i] + (" (gift)" if c.gift[i] else ""),
                c.quantity[i],
                money(c.list_price[i]),
                money(c.list_subtotal[i]),
                *(money(getattr(c, name)[i]) for name, _ in optional),
                money(c.paid[i]),
            ]
            for i in range(len(c.key))
        ]
        foot = [
            "total",
            sum(c.quantity),
            "",
            money(sum(c.list_subtotal)),
            *(money(sum(getattr(c, name))) for name, _ in optional),
            money(self.total_minor),
        ]
        lines = _html.table(head, rows, foot=foot, caption=f"Quote in {currency.code}")
        parts = [lines]
        if self.adjustments:
            ordered = sorted(self.adjustments, key=lambda adj: list(Stage).index(adj.stage))
            parts.append(
                _html.table(
                    ["stage", "source", "on", "amount", "split over the lines"],
                    [
                        [
                            adj.stage.value,
                            adj.source,
                            "" if adj.base_minor is None else money(adj.base_minor),
                            ("+" if adj.stage.sign > 0 else "-") + money(adj.amount_minor),
                            ", ".join(f"{key} {money(units)}" for key, units in adj.lines),
                        ]
                        for adj in ordered
                    ],
                    caption="Adjustments, in the order the stages ran",
                )
            )
        if self.rejected:
            items = []
            for rej in self.rejected:
                text = f"{rej.source}: {rej.reason.value}"
                if rej.line is not None:
                    text += f" on line {rej.line}"
                if rej.shortfall_minor is not None:
                    text += f" (spend {money(rej.shortfall_minor)} more)"
                items.append(f"<li>{html.escape(text)}</li>")
            parts.append("<p>Not applied:</p><ul>" + "".join(items) + "</ul>")
        points = []
        if self.points_used:
            points.append(f"points used: {self.points_used}")
        if self.points_earned:
            points.append(f"points earned: {self.points_earned}")
        points_text = f" ({html.escape(', '.join(points))})" if points else ""
        parts.append(f"<p><strong>Total: {html.escape(money(self.total_minor))}</strong>")
        parts[-1] += points_text + "</p>"
        return "".join(parts)

    def to_pandas(self) -> Any:
        """The lines as a :class:`pandas.DataFrame`, one row per line in cart order.

        Columns: ``key``, ``sku``, ``quantity``, the amounts ``list_price``,
        ``list_subtotal``, ``item_discount``, ``promotion_discount``,
        ``coupon_discount``, ``points_deduction``, ``shipping``, ``tax`` and
        ``paid``, then ``points_earned``, ``activity`` and ``gift``. Amounts are
        exact :class:`~decimal.Decimal` values in major units with the
        currency's minor digits (``Decimal('50.00')``), so the column dtype is
        ``object``: sum them exactly, or ``.astype(float)`` to plot. The frame's
        ``attrs["currency"]`` is the currency code. Needs pandas (the
        ``analysis`` extra).

        Raises:
            ConfigError: pandas is not installed.
        """
        pd = _html.pandas()
        c = self.columns
        places = -minor_units(self.currency)

        def major(column: list[int]) -> list[Decimal]:
            return [Decimal(units).scaleb(places) for units in column]

        frame = pd.DataFrame(
            {
                "key": c.key,
                "sku": c.sku,
                "quantity": c.quantity,
                **{name: major(getattr(c, name)) for name in _AMOUNT_COLUMNS},
                "points_earned": c.points_earned,
                "activity": c.activity,
                "gift": c.gift,
            }
        )
        frame.attrs["currency"] = self.currency.code
        return frame


def _rejection_dict(rej: Rejection, text: _Texts) -> dict[str, Any]:
    data: dict[str, Any] = {"source": rej.source, "reason": rej.reason.value}
    if rej.shortfall_minor is not None:
        data["shortfall"] = text[rej.shortfall_minor]
    if rej.line is not None:
        data["line"] = rej.line
    return data
