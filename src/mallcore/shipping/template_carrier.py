"""A carrier that quotes from the mall's own freight templates.

Many malls charge customers by their freight templates (运费模板) whatever the
carrier bills them. :class:`TemplateCarrier` gives that price the shape of the
:class:`~mallcore.shipping.carriers.Carrier` port, and hands booking and
tracking to the carrier that really moves the parcel.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from mallcore.errors import CarrierRejectedError, ConfigError, UndeliverableError
from mallcore.shipping.carriers import Carrier, Rate, Shipment, TrackingEvent, Waybill
from mallcore.shipping.freight import Combine, compute_shipping
from mallcore.shipping.templates import FreightTemplate

__all__ = ["TemplateCarrier"]


def _days(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"estimated_days={value!r} must be a whole number of days, zero or more"
        raise ConfigError(msg)


@attrs.define(eq=False)
class TemplateCarrier:
    """Quote with freight templates; book and track through *fulfilment*.

    :meth:`rates` returns one :class:`~mallcore.shipping.carriers.Rate`: the
    :func:`~mallcore.shipping.freight.compute_shipping` total of the shipment's
    lines to its region (exact, in the shipment's currency), under the name
    of the fulfilment carrier and with *service*. :meth:`create_shipment` and
    :meth:`track` are the fulfilment carrier's own, so its idempotency,
    tracking numbers and errors apply unchanged.

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
    >>> from mallcore.shipping.freight import ShippingLine
    >>> from mallcore.shipping.sandbox import SandboxCarrier
    >>> from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
    >>> per_piece = FreightTemplate("std", ChargeBy.PIECE,
    ...     [ChargeRule(Decimal(1), Decimal(10), Decimal(1), Decimal(5))])
    >>> carrier = TemplateCarrier({"std": per_piece},
    ...     fulfilment=SandboxCarrier(clock=FixedClock(datetime(2026, 11, 11, tzinfo=UTC))))
    >>> parcel = Shipment("o-1", "440305", [ShippingLine("TEA", "std", 3)], "CNY")
    >>> [(rate.carrier, rate.service, rate.amount) for rate in carrier.rates(parcel)]
    [('sandbox', 'standard', Money('20.00', 'CNY'))]

    Three pieces cost ¥10 for the first and ¥5 for each of the two others.
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
            CarrierRejectedError: If a line's template does not deliver to the
                shipment's region; the :class:`~mallcore.errors.UndeliverableError`
                is chained.
            ConfigError: If a line names a template that *templates* lacks, or
                the region is malformed (bad input, not a carrier failure).
        """
        try:
            breakdown = compute_shipping(
                shipment.lines,
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
