"""``mallcore demo``: the story of one order, told step by step with real numbers."""

from __future__ import annotations

from typing import TextIO

from mallcore.money import (
    Money,
    allocate,
    format_money,
    proportional_refund,
    sum_money,
    to_minor,
)

_LOCALES = ("zh_CN", "en_US", "de_DE", "ja_JP")


def run_demo(out: TextIO, *, extra_locales: list[str]) -> None:
    """Print the demo to *out*."""
    say = out.write
    say("mallcore demo\n=============\n\n")

    lines = {
        "TEE-RED-M": Money("99.00", "CNY"),
        "MUG-WHITE": Money("35.50", "CNY"),
        "SOCKS-3PK": Money("19.90", "CNY"),
    }
    subtotal = sum_money(lines.values())
    discount = Money("20.00", "CNY")
    say("1. A 满减 discount of ¥20.00 split across the cart (largest remainder)\n")
    shares = allocate(discount, [to_minor(amount) for amount in lines.values()])
    for (sku, amount), share in zip(lines.items(), shares, strict=True):
        say(f"   {sku:<10} {format_money(amount):>10}  -{format_money(share):>7}\n")
    say(f"   {'total':<10} {format_money(subtotal):>10}  -{format_money(sum_money(shares))}\n")
    say("   The shares add up to the discount exactly; no line takes 'the rest'.\n\n")

    paid = Money("10.00", "CNY")
    say("2. A line of 3 units paid ¥10.00; the units come back one at a time\n")
    refunds = [proportional_refund(paid, 3, before, 1) for before in range(3)]
    for before, refund in enumerate(refunds):
        say(f"   refund #{before + 1}: {format_money(refund)}\n")
    say(f"   refunded in all: {format_money(sum_money(refunds))} (= what the line paid)\n\n")

    say("3. One amount per currency, formatted for each locale\n")
    samples = (Money("1234.50", "CNY"), Money("1234.50", "EUR"), Money("1234", "JPY"))
    for locale in (*_LOCALES, *extra_locales):
        shown = "   ".join(format_money(sample, locale) for sample in samples)
        say(f"   {locale:<6} {shown}\n")
    say("\nLater releases grow this demo into the whole order story.\n")
