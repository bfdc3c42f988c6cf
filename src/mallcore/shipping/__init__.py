"""Shipping: regions, freight templates, a cart's shipping fee, and the carrier port.

Operator-authored templates are validated by :func:`mallcore.shipping.rules.load_freight_templates`
(import it from there; it needs pydantic). The carriers that implement the port are
adapters and live in :mod:`mallcore.adapters` (:mod:`mallcore.adapters.sandbox_carrier`,
:mod:`mallcore.adapters.template_carrier`); this package never imports them.
"""

from mallcore.shipping.carriers import (
    Carrier,
    ParcelItem,
    Rate,
    Shipment,
    TrackingEvent,
    TrackingStatus,
    Waybill,
)
from mallcore.shipping.freight import (
    Combine,
    ShippingBreakdown,
    ShippingLine,
    TemplateFee,
    compute_shipping,
)
from mallcore.shipping.regions import (
    Region,
    RegionLevel,
    RegionTable,
    is_within,
    normalize_region,
    region_ancestors,
    region_table,
    to_gb_code,
)
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreeRule, FreightTemplate, Surcharge
from mallcore.shipping.tracking import (
    RawTrackingEvent,
    StatusCodeTable,
    current_status,
    normalise_events,
)

__all__ = [
    "Carrier",
    "ChargeBy",
    "ChargeRule",
    "Combine",
    "FreeRule",
    "FreightTemplate",
    "ParcelItem",
    "Rate",
    "RawTrackingEvent",
    "Region",
    "RegionLevel",
    "RegionTable",
    "Shipment",
    "ShippingBreakdown",
    "ShippingLine",
    "StatusCodeTable",
    "Surcharge",
    "TemplateFee",
    "TrackingEvent",
    "TrackingStatus",
    "Waybill",
    "compute_shipping",
    "current_status",
    "is_within",
    "normalise_events",
    "normalize_region",
    "region_ancestors",
    "region_table",
    "to_gb_code",
]
