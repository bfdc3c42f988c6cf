"""Shipping: regions, freight templates, a cart's shipping fee, and the carrier port.

Operator-authored templates are validated by :func:`mallcore.shipping.rules.load_freight_templates`
(import it from there; it needs pydantic).
"""

from mallcore.shipping.carriers import (
    Carrier,
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
from mallcore.shipping.sandbox import SandboxCarrier, SandboxFaults, SandboxService
from mallcore.shipping.template_carrier import TemplateCarrier
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
    "Rate",
    "RawTrackingEvent",
    "Region",
    "RegionLevel",
    "RegionTable",
    "SandboxCarrier",
    "SandboxFaults",
    "SandboxService",
    "Shipment",
    "ShippingBreakdown",
    "ShippingLine",
    "StatusCodeTable",
    "Surcharge",
    "TemplateCarrier",
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
