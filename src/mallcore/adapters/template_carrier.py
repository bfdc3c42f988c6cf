"""A carrier that quotes from the mall's own freight templates.

Many malls charge customers by their freight templates (运费模板) whatever the
carrier bills them. :class:`TemplateCarrier` gives that price the shape of the
:class:`~mallcore.shipping.carriers.Carrier` port, and hands booking and
tracking to the carrier that really moves the parcel.

The port carries :class:`~mallcore.shipping.carriers.ParcelItem` objects, the
freight calculator reads :class:`~mallcore.shipping.freight.ShippingLine`
objects; translating one into the other (:func:`shipping_lines`) is this
adapter's job, so the port does not depend on the calculator's input type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from mallcore.errors import CarrierRejectedError, ConfigError, UndeliverableError
from mallcore.shipping.carriers import Carrier, ParcelItem, Rate, Shipment, TrackingEvent, Waybill
from mallcore.shipping.freight import Combine, ShippingLine, compute_shipping
from mallcore.shipping.templates import FreightTemplate

__all__ = ["TemplateCarrier", "shipping_lines"]


def _days(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"estimated_days={value!r} must be a whole number of days, zero or more"
        raise ConfigError(msg)


def shipping_lines(items: Iterable[ParcelItem]) -> list[ShippingLine]:
    """The freight calculator's lines for a parcel's items, one line per SKU.

    Items of the same SKU are merged, in the order each SKU first appears,
    with their quantities added up: the calculator wants one line per key,
    and three pieces of tea cost the same whether they were listed as one
    item or two. The items of one SKU must agree on what one piece weighs,
    measures and which template it ships under; a parcel that says otherwise
    is inconsistent and is refused rather than priced by guesswork.

    Args:
        items: The parcel's items (:attr:`Shipment.items
            <mallcore.shipping.carriers.Shipment.items>`).

    Returns:
        One :class:`~mallcore.shipping.freight.ShippingLine` per SKU, keyed by
        the SKU, with no amount (so free rules with a ``min_amount`` count the
        parcel as worth zero).

    Raises:
        ConfigError: If two items of one SKU differ in ``weight_kg``,
            ``volume_m3`` or ``freight_template``.

    >>> from decimal import Decimal
    >>> tea = ParcelItem("TEA", 1, weight_kg=Decimal("0.4"), freight_template="std")
    >>> [(line.key, line.quantity) for line in shipping_lines([tea, ParcelItem("MUG", 1), tea])]
    [('TEA', 2), ('MUG', 1)]
    """
    merged: dict[str, ParcelItem] = {}
    for item in items:
        first = merged.get(item.sku)
        if first is None:
            merged[item.sku] = item
            continue
        if _per_piece(first) != _per_piece(item):
            msg = (
                f"sku={item.sku!r} appears twice with different pieces: {first!r} and {item!r};"
                " the items of one SKU must agree on weight_kg, volume_m3 and freight_template"
            )
            raise ConfigError(msg)
        merged[item.sku] = attrs.evolve(first, quantity=first.quantity + item.quantity)
    return [
        ShippingLine(
            key=item.sku,
            template_id=item.freight_template,
            quantity=item.quantity,
            weight_kg=item.weight_kg,
            volume_m3=item.volume_m3,
        )
        for item in merged.values()
    ]


def _per_piece(item: ParcelItem) -> tuple[object, ...]:
    return (item.weight_kg, item.volume_m3, item.freight_template)


@attrs.define(eq=False)
class TemplateCarrier:
    """Quote with freight templates; book and track through *fulfilment*.

    :meth:`rates` returns one :class:`~mallcore.shipping.carriers.Rate`: the
    :func:`~mallcore.shipping.freight.compute_shipping` total of the shipment's
    items to its region (exact, in the shipment's currency), under the name
    of the fulfilment carrier and with *service*. Each item is priced under its
    ``freight_template`` (an item without one ships free), and items of the
    same SKU are merged first, their quantities added up (see
    :func:`shipping_lines`). :meth:`create_shipment` and :meth:`track` are the
    fulfilment carrier's own, so its idempotency, tracking numbers and errors
    apply unchanged.

    Args:
        templates: Freight templates by id, e.g. from
            :func:`mallcore.shipping.rules.load_freight_templates`.
        fulfilment: The carrier that moves the parcels.
        service: The service quoted; the fulfilment carrier must offer it.
        estimated_days: Delivery days announced with the rate.
        combine: How several templates in one shipment combine.

    >>> from datetime import datetime, UTC
    >>> from decimal import Decimal
    >>> from mallcore.clock import FixedClock
    >>> from mallcore.adapters.sandbox_carrier import SandboxCarrier
    >>> from mallcore.shipping.carriers import ParcelItem
    >>> from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
    >>> per_piece = FreightTemplate("std", ChargeBy.PIECE,
    ...     [ChargeRule(Decimal(1), Decimal(10), Decimal(1), Decimal(5))])
    >>> carrier = TemplateCarrier({"std": per_piece},
    ...     fulfilment=SandboxCarrier(clock=FixedClock(datetime(2026, 11, 11, tzinfo=UTC))))
    >>> tea = [ParcelItem("TEA", n, freight_template="std") for n in (2, 1)]
    >>> parcel = Shipment("o-1", "440305", tea, "CNY")
    >>> [(rate.carrier, rate.service, rate.amount) for rate in carrier.rates(parcel)]
    [('sandbox', 'standard', Money('20.00', 'CNY'))]

    The two items of ``TEA`` are three pieces: ¥10 for the first and ¥5 for
    each of the two others.
    """

    templates: Mapping[str, FreightTemplate]
    fulfilment: Carrier = attrs.field(kw_only=True)
    service: str = attrs.field(default="standard", kw_only=True)
    estimated_days: int = attrs.field(default=3, validator=_days, kw_only=True)
    combine: Combine = attrs.field(default=Combine.SUM, converter=Combine, kw_only=True)

    @property
    def name(self) -> str:
        """The fulfilment carrier's name: that is who carries the parcel."""
        return self.fulfilment.name

    def rates(self, shipment: Shipment) -> list[Rate]:
        """The freight-template price of *shipment*, as a single rate.

        Raises:
            CarrierRejectedError: If an item's template does not deliver to the
                shipment's region; the :class:`~mallcore.errors.UndeliverableError`
                is chained.
            ConfigError: If an item names a template that *templates* lacks, two
                items of one SKU disagree on what a piece is, or the region is
                malformed (bad input, not a carrier failure).
        """
        lines = shipping_lines(shipment.items)
        try:
            breakdown = compute_shipping(
                lines,
                self.templates,
                shipment.ship_to,
                currency=shipment.currency,
                combine=self.combine,
            )
        except UndeliverableError as exc:
            raise CarrierRejectedError(self.name, str(exc)) from exc
        return [Rate(self.name, self.service, breakdown.total, self.estimated_days)]

    def create_shipment(self, shipment: Shipment, *, service: str, idempotency_key: str) -> Waybill:
        """Book *shipment* with the fulfilment carrier (its idempotency applies)."""
        return self.fulfilment.create_shipment(
            shipment, service=service, idempotency_key=idempotency_key
        )

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        """The fulfilment carrier's normalised tracking for *tracking_no*."""
        return self.fulfilment.track(tracking_no)
