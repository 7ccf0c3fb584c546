"""The vocabulary of drafting, one table each: campaigns, channels, tones and lengths.

Everything else reads these tables: the command line's choices, the template and prompt
headers, the targeting rules, the checks, the outbox's file types, the demo and the docs.
`tests/test_campaigns.py` fails when a campaign or a channel is added here and not where
a table cannot reach (the `Literal` types, the targeting rules, the shipped prompts and
templates).

A plain module: the command line imports it for `--help`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

CampaignName = Literal["urgency", "reactivation", "thanks"]
ChannelName = Literal["email", "whatsapp"]


@dataclass(frozen=True)
class Campaign:
    name: CampaignName
    purpose: str  # what it is for (docs/campaigns.md)
    short: str  # a few words for `--campaign` help
    writer_purpose: str  # what the writer (the LLM) is told the message is for; `{reason}`
    by_loss_reason: bool = False  # answers the customer's loss reason: templates per reason
    needs_lever: bool = False  # carries a dated reason to act now (offer, closure, price)
    shows_year: bool = False  # this year's figures and the supplier's achievements


@dataclass(frozen=True)
class Channel:
    name: ChannelName
    label: str  # what the address is called in messages
    address_field: Literal["email", "whatsapp"]  # the customer field that holds the address
    suffix: str  # the draft file in an outbox
    noun: str  # "An email", "A WhatsApp message"
    body_max: int  # characters
    subject_max: int | None = None  # None: the channel has no subject
    style: str = ""  # what a writer (the LLM) is told: `{subject_max}`, `{body_max}` filled in

    @property
    def has_subject(self) -> bool:
        return self.subject_max is not None

    @property
    def phrase(self) -> str:
        """`an email`, `a WhatsApp message`: the noun inside a sentence."""
        return self.noun[0].lower() + self.noun[1:]


CAMPAIGNS: Final[dict[str, Campaign]] = {
    campaign.name: campaign
    for campaign in (
        Campaign(
            "urgency",
            "year-end push: a true, dated reason to order now",
            "year-end push",
            "Your message: a year-end email asking the buyer to order before its dates pass.",
            needs_lever=True,
        ),
        Campaign(
            "reactivation",
            "win back a lapsed customer by answering why it left",
            "answer why they left",
            "Your message: an email to win back a buyer who stopped ordering{reason}.",
            by_loss_reason=True,
        ),
        Campaign(
            "thanks",
            "year-end thank-you with this year's figures and the supplier's progress",
            "year-end letter",
            "Your message: a year-end letter thanking the buyer for this year's cooperation "
            "and inviting them to plan next year's orders together.",
            shows_year=True,
        ),
    )
}

CHANNELS: Final[dict[str, Channel]] = {
    channel.name: channel
    for channel in (
        Channel(
            "email",
            "email address",
            "email",
            ".eml",
            "An email",
            body_max=3000,
            subject_max=80,
            style="a subject of at most {subject_max} characters and a plain-text body that "
            "ends with the sender's signature exactly as given",
        ),
        Channel(
            "whatsapp",
            "WhatsApp number",
            "whatsapp",
            ".txt",
            "A WhatsApp message",
            body_max=700,
            style="no subject, plain text, at most {body_max} characters, short lines, signed "
            "with the sender's name",
        ),
    )
}

DEFAULT_CHANNEL: Final = "email"
DEFAULT_TONE: Final = "warm and professional"

#: how long an LLM draft should be -> what the model is told
LENGTHS: Final[dict[str, str]] = {
    "short": "at most 80 words",
    "medium": "about 120 words",
    "long": "about 200 words",
}
DEFAULT_LENGTH: Final = "medium"


def campaign_help() -> str:
    """`urgency: year-end push; reactivation: ...`, for `--campaign`."""
    return "; ".join(f"{c.name}: {c.short}" for c in CAMPAIGNS.values()) + "."


def channel_rule(name: str) -> str:
    """What a writer is told about a channel's format and limits."""
    channel = CHANNELS[name]
    style = channel.style.format(subject_max=channel.subject_max, body_max=channel.body_max)
    return f"{channel.noun}: {style}."


#: a buyer targeted by several campaigns gets the first of these (a lost buyer is won back
#: before it is urged, and urged before it is thanked "for your trust"); the pre-flight of
#: a later one holds it back and says why
CONTACT_PRIORITY: Final[tuple[str, ...]] = ("reactivation", "urgency", "thanks")
