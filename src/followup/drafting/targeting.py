"""Who each campaign (`followup.campaigns`) targets by default: one table, read by the
pre-flight, `batch --explain` and the docs.

A customer qualifies for a campaign when any of its rules matches; the first
matching rule is the reason `followup batch --explain` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from followup.drafting.context import Profile


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    classic: frozenset[str] = field(default_factory=frozenset)
    cn8: frozenset[str] = field(default_factory=frozenset)
    test: Callable[[Profile], bool] | None = None

    def matches(self, profile: Profile) -> bool:
        customer = profile["customer"]
        if customer["segment"] in self.classic or customer["cn8_segment"] in self.cn8:
            return True
        return self.test is not None and self.test(profile)


def _regular_not_reordered(p: Profile) -> bool:
    c = p["customer"]
    recent = c["days_since_order"] is not None and c["days_since_order"] <= 730
    return bool(c["orders"] >= 2 and c["orders_this_year"] == 0 and recent)


def _lost_without_order_since(p: Profile) -> bool:
    loss, c = p["loss"], p["customer"]
    if not loss:
        return False
    lost, last = loss["lost_date"], c["last_order"]
    return bool(last is None or lost is None or last <= lost)


def _steady_this_year(p: Profile) -> bool:
    c = p["customer"]
    return bool(c["orders_this_year"] >= 1 and c["orders"] >= 3)


def _promising_prospect(p: Profile) -> bool:
    c = p["customer"]
    return bool(c["orders"] == 0 and c["tier"].upper() == "A")


CAMPAIGN_RULES: Final[dict[str, tuple[Rule, ...]]] = {
    "urgency": (
        Rule(
            "regular_not_reordered",
            "ordered 2+ times, within the last two years, but not yet this year",
            test=_regular_not_reordered,
        ),
        Rule(
            "lapsed_worth_waking",
            "a valuable customer gone quiet",
            classic=frozenset({"at_risk", "cannot_lose_them", "need_attention", "about_to_sleep"}),
            cn8=frozenset({"important_retain", "important_winback"}),
        ),
        Rule("promising_prospect", "a tier-A prospect with no order yet", test=_promising_prospect),
    ),
    "reactivation": (
        Rule(
            "lost_deal",
            "a loss is recorded and nothing was ordered since",
            test=_lost_without_order_since,
        ),
        Rule(
            "lapsed",
            "a lapsed customer by RFM",
            classic=frozenset({"at_risk", "cannot_lose_them", "hibernating", "lost"}),
            cn8=frozenset({"important_winback", "general_winback"}),
        ),
    ),
    "thanks": (
        Rule(
            "vip_or_steady",
            "a VIP or steady customer by RFM",
            classic=frozenset({"champions", "loyal"}),
            cn8=frozenset({"important_value", "important_develop"}),
        ),
        Rule("steady_this_year", "ordered this year and 3+ times in all", test=_steady_this_year),
    ),
}


def qualifying_rule(campaign: str, profile: Profile) -> Rule | None:
    """The first rule of `campaign` that picks this customer, or None."""
    return next((rule for rule in CAMPAIGN_RULES[campaign] if rule.matches(profile)), None)
