"""Sales tax on invoices: 18% GST for Indian organisations billed in INR, none otherwise."""

from __future__ import annotations

from decimal import Decimal

from billing_mock.domain.money import Money

GST_RATE = Decimal("18")
"""India's GST on software services, in percent (seed 000: 1150.30 + 207.05 = 1357.35)."""


def tax_rate(country: str, currency: str) -> Decimal:
    """Tax rate in percent for an organisation in `country` (ISO 3166-1) billed in `currency`.

    Exports from India are zero-rated, so only IN organisations paying INR pay GST.
    """
    return GST_RATE if (country, currency) == ("IN", "INR") else Decimal(0)


def tax_on(subtotal: Money, rate: Decimal) -> Money:
    """Tax at `rate` percent of `subtotal`, rounded half-up to the minor unit."""
    return subtotal.percent(rate)
