"""The result of pricing a cart: lines, adjustments, rejections, and how to read them.

Amounts are held as integer minor units (``*_minor`` fields) and offered as
:class:`~moneyed.Money` through properties, so a quote of many lines costs
no Money objects until someone reads one.
"""

from __future__ import annotations

import functools
import html
from itertools import repeat
from typing import Any, Final, cast

import attrs

from mallcore.money import Currency, Money, format_money, from_minor, minor_units

__all__ = ["ROW_FIELDS", "STAGES", "Adjustment", "Quote", "QuoteLine", "Rejection"]

#: Adjustment stages in the order the pipeline runs them; the sign says subtract or add.
STAGES: Final = {
    "item_price": -1,
    "promotions": -1,
    "coupons": -1,
    "points": -1,
    "shipping": 1,
    "shipping_discount": -1,
    "tax": 1,
}


def _decimal_text(units: int, places: int) -> str:
    """``1234, 2 -> '12.34'``: exactly *places* decimals, no float on the way."""
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
        text = self[units] = _decimal_text(units, self.places)
        return text


@functools.lru_cache(maxsize=8)
def _texts(places: int) -> _Texts:
    return _Texts(places)


@attrs.frozen
class Adjustment:
    """One change to the price by one source in one stage, split over lines.

    Args:
        source: ``promotion:ID``, ``coupon:CODE``, ``member:TIER``, ``points``,
            ``freight:TEMPLATE``, ``tax``.
        stage: One of :data:`STAGES`; it says whether the amount subtracts or adds.
        amount_minor: The whole amount, non-negative, in minor units.
        lines: Line key → share in minor units; the shares sum to the amount.
        detail: The rule in words, for :meth:`Quote.explain`.
        base_minor: The amount the rule looked at (threshold base), if any.
    """

    source: str
    stage: str
    amount_minor: int
    lines: tuple[tuple[str, int], ...]
    detail: str = ""
    base_minor: int | None = None


@attrs.frozen
class Rejection:
    """A promotion or coupon that gave nothing, and why (machine-readable ``reason``)."""

    source: str
    reason: str
    shortfall_minor: int | None = None
    line: str | None = None
    detail: str = ""


@attrs.frozen
class QuoteLine:
    """One priced line. ``paid`` obeys the line identity of DESIGN.md section 4."""

    key: str
    sku: str
    quantity: int
    currency: Currency
    list_price_minor: int
    list_subtotal_minor: int
    item_discount_minor: int = 0
    promotion_discount_minor: int = 0
    coupon_discount_minor: int = 0
    points_deduction_minor: int = 0
    shipping_minor: int = 0
    tax_minor: int = 0
    tax_added: bool = False
    points_earned: int = 0
    activity: bool = False
    gift: bool = False

    @property
    def paid_minor(self) -> int:
        """What the line pays, in minor units (the line identity of DESIGN.md section 4)."""
        added_tax = self.tax_minor if self.tax_added else 0
        return self.net_items_minor + self.shipping_minor + added_tax

    @property
    def paid(self) -> Money:
        """What the line pays."""
        return from_minor(self.paid_minor, self.currency)

    @property
    def list_price(self) -> Money:
        """Unit list price (after quantity tiers)."""
        return from_minor(self.list_price_minor, self.currency)

    @property
    def list_subtotal(self) -> Money:
        """Unit list price × quantity."""
        return from_minor(self.list_subtotal_minor, self.currency)

    @property
    def net_items_minor(self) -> int:
        """The item amount after points, without shipping and added tax."""
        return (
            self.list_subtotal_minor
            - self.item_discount_minor
            - self.promotion_discount_minor
            - self.coupon_discount_minor
            - self.points_deduction_minor
        )

    def to_dict(self, places: int) -> dict[str, Any]:
        """The line in the JSON contract of DESIGN.md section 11."""
        row: Row = (
            self.key, self.sku, self.quantity, self.list_price_minor, self.list_subtotal_minor,
            self.item_discount_minor, self.promotion_discount_minor, self.coupon_discount_minor,
            self.points_deduction_minor, self.shipping_minor, self.tax_minor, self.tax_added,
            self.points_earned, self.activity, self.gift, self.paid_minor,
        )  # fmt: skip
        return _line_dict(row, _texts(places))


#: One line's values in :class:`Quote` rows, in this order (amounts in minor units).
ROW_FIELDS: Final = (
    "key", "sku", "quantity", "list_price", "list_subtotal", "item_discount",
    "promotion_discount", "coupon_discount", "points_deduction", "shipping", "tax",
    "tax_added", "points_earned", "activity", "gift", "paid",
)  # fmt: skip
_TOTAL_COLUMNS: Final = (
    ("list_subtotal", 4),
    ("item_discount", 5),
    ("promotion_discount", 6),
    ("coupon_discount", 7),
    ("points_deduction", 8),
    ("tax", 10),
)
Row = tuple[str, str, int, int, int, int, int, int, int, int, int, bool, int, bool, bool, int]


def _line_dict(row: Row, text: _Texts) -> dict[str, Any]:
    """One line of :meth:`Quote.to_dict`."""
    return {
        "sku": row[0],
        "quantity": row[2],
        "list_price": text[row[3]],
        "list_subtotal": text[row[4]],
        "item_discount": text[row[5]],
        "promotion_discount": text[row[6]],
        "coupon_discount": text[row[7]],
        "points_deduction": text[row[8]],
        "shipping": text[row[9]],
        "tax": text[row[10]],
        "paid": text[row[15]],
        "points_earned": row[12],
    }


@attrs.frozen
class Quote:
    """A priced cart with its explanation.

    Lines are kept as plain rows (see :data:`ROW_FIELDS`) and turned into
    :class:`QuoteLine` objects when :attr:`lines` is first read. Order totals
    are sums over lines, except ``shipping`` (gross freight) and
    ``shipping_discount`` (what was waived), which come from the adjustments.
    """

    currency: Currency
    rows: tuple[Row, ...]
    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]
    points_used: int = 0

    @functools.cached_property
    def lines(self) -> tuple[QuoteLine, ...]:
        """The priced lines, in cart order (gift lines last)."""
        currency = self.currency
        return tuple(
            QuoteLine(
                row[0],
                row[1],
                row[2],
                currency,
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                row[10],
                row[11],
                row[12],
                row[13],
                row[14],
            )
            for row in self.rows
        )

    def _sum(self, field: str) -> int:
        column = dict(_TOTAL_COLUMNS)[field]
        return sum(cast(int, row[column]) for row in self.rows)

    def _stage_total(self, stage: str) -> int:
        return sum(adj.amount_minor for adj in self.adjustments if adj.stage == stage)

    @property
    def total_minor(self) -> int:
        """What the customer pays, in minor units."""
        return sum([row[15] for row in self.rows])

    @property
    def total(self) -> Money:
        """What the customer pays."""
        return from_minor(self.total_minor, self.currency)

    @property
    def shipping(self) -> Money:
        """Gross freight before shipping discounts."""
        return from_minor(self._stage_total("shipping"), self.currency)

    @property
    def shipping_discount(self) -> Money:
        """Freight waived by free-shipping promotions, shipping coupons and tier benefits."""
        return from_minor(self._stage_total("shipping_discount"), self.currency)

    @property
    def points_earned(self) -> int:
        """Points the order earns once paid."""
        return sum(row[12] for row in self.rows)

    def amount(self, field: str) -> Money:
        """An order total by name: ``list_subtotal``, ``item_discount``, ``coupon_discount``, ..."""
        return from_minor(self._sum(field), self.currency)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, exactly the contract of DESIGN.md section 11 (amounts as strings)."""
        places = minor_units(self.currency)
        text = _texts(places)
        get = text.__getitem__
        rows = self.rows
        # Column-wise: one transpose and one text lookup per column, at C speed.
        (
            line_keys, _, quantity, list_price, subtotal, item, promotion, coupon, points,
            shipping_col, tax, _, earned, _, _, paid,
        ) = zip(*rows, strict=True) if rows else ((),) * len(ROW_FIELDS)  # fmt: skip
        zero = get(0)
        texts = [
            # Columns of zeros (no tax, no points, ...) are common: one C-speed any() each.
            map(get, column) if any(column) else repeat(zero, len(rows))
            for column in (
                list_price,
                subtotal,
                item,
                promotion,
                coupon,
                points,
                shipping_col,
                tax,
                paid,
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
                line_keys, quantity, *texts, earned, strict=True
            )
        ]
        shipping = shipping_discount = 0
        for adj in self.adjustments:
            if adj.stage == "shipping":
                shipping += adj.amount_minor
            elif adj.stage == "shipping_discount":
                shipping_discount += adj.amount_minor
        return {
            "currency": self.currency.code,
            "lines": lines,
            "list_subtotal": get(sum(subtotal)),
            "item_discount": get(sum(item)),
            "promotion_discount": get(sum(promotion)),
            "coupon_discount": get(sum(coupon)),
            "points_used": self.points_used,
            "points_deduction": get(sum(points)),
            "shipping": get(shipping),
            "shipping_discount": get(shipping_discount),
            "tax": get(sum(tax)),
            "total": get(sum(paid)),
            "points_earned": sum(earned),
            "adjustments": [
                {
                    "source": adj.source,
                    "stage": adj.stage,
                    "amount": get(adj.amount_minor),
                    "lines": {key: get(units) for key, units in adj.lines},
                }
                for adj in self.adjustments
            ],
            "rejected": [_rejection_dict(rej, places) for rej in self.rejected],
        }

    def explain(self, locale: str = "zh_CN") -> str:
        """A readable account of the stages in the order they ran, amounts shown for *locale*."""

        def money(units: int) -> str:
            return format_money(from_minor(units, self.currency), locale)

        out = [f"Quote in {self.currency.code}: {len(self.lines)} line(s)"]
        for line in self.lines:
            out.append(
                f"  {line.key}: {line.quantity} × {money(line.list_price_minor)}"
                f" = {money(line.list_subtotal_minor)}"
            )
        for stage, sign in STAGES.items():
            adjustments = [adj for adj in self.adjustments if adj.stage == stage]
            if not adjustments:
                continue
            out.append(f"{stage}:")
            for adj in adjustments:
                base = f" on {money(adj.base_minor)}" if adj.base_minor is not None else ""
                split = ", ".join(f"{key} {money(units)}" for key, units in adj.lines)
                symbol = "-" if sign < 0 else "+"
                out.append(
                    f"  {adj.source}{base}: {symbol}{money(adj.amount_minor)}"
                    f"{' (' + adj.detail + ')' if adj.detail else ''} → {split}"
                )
        if self.points_used:
            out.append(f"points used: {self.points_used}")
        for rej in self.rejected:
            short = (
                f", spend {money(rej.shortfall_minor)} more"
                if rej.shortfall_minor is not None
                else ""
            )
            out.append(f"not applied: {rej.source}: {rej.reason}{short}")
        out.append(f"total: {money(self.total_minor)}")
        if self.points_earned:
            out.append(f"points earned: {self.points_earned}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        """A tidy HTML table for notebooks."""
        places = minor_units(self.currency)
        head = (
            "sku", "qty", "list", "item", "promo", "coupon", "points", "shipping", "tax", "paid",
        )  # fmt: skip
        rows = []
        for line in self.lines:
            data = line.to_dict(places)
            cells = (
                data["sku"], data["quantity"], data["list_subtotal"], data["item_discount"],
                data["promotion_discount"], data["coupon_discount"], data["points_deduction"],
                data["shipping"], data["tax"], data["paid"],
            )  # fmt: skip
            rows.append(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
            )
        rejected = "".join(
            f"<li>{html.escape(rej.source)}: {html.escape(rej.reason)}"
            + (
                f" (spend {_decimal_text(rej.shortfall_minor, places)} more)"
                if rej.shortfall_minor is not None
                else ""
            )
            + "</li>"
            for rej in self.rejected
        )
        return (
            "<table><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join(rows)
            + f"</tbody><tfoot><tr><td colspan='9'>total</td>"
            f"<td>{_decimal_text(self.total_minor, places)}</td></tr></tfoot></table>"
            + (f"<p>Not applied:</p><ul>{rejected}</ul>" if rejected else "")
        )


def _rejection_dict(rej: Rejection, places: int) -> dict[str, Any]:
    data: dict[str, Any] = {"source": rej.source, "reason": rej.reason}
    if rej.shortfall_minor is not None:
        data["shortfall"] = _decimal_text(rej.shortfall_minor, places)
    if rej.line is not None:
        data["line"] = rej.line
    return data
