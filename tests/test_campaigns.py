"""One source of truth for campaigns and channels (`followup.campaigns`).

Everything that can read the tables reads them; these tests cover what cannot: the
`Literal` types, the targeting rules, the shipped prompt and template files, the outbox's
file writers, the command line's choices, and campaign names typed anywhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import click

from followup.campaigns import CAMPAIGNS, CHANNELS, LENGTHS, CampaignName, ChannelName
from followup.cli import cli
from followup.drafting.library import load_library
from followup.drafting.targeting import CAMPAIGN_RULES
from followup.llm.prompts import load_prompt, shipped_prompts
from followup.outbox.messages import ENCODERS

ROOT = Path(__file__).resolve().parent.parent
#: modules that may spell a campaign's name: the table, its targeting rules, and the
#: reorder plan (which suggests one)
SPELLED_OUT = {"campaigns.py", "drafting/targeting.py", "reorder/plan.py"}


def test_the_literal_types_are_the_tables() -> None:
    assert get_args(CampaignName) == tuple(CAMPAIGNS)
    assert get_args(ChannelName) == tuple(CHANNELS)


def test_every_campaign_has_targeting_rules_and_every_channel_a_file_writer() -> None:
    assert list(CAMPAIGN_RULES) == list(CAMPAIGNS)
    assert set(ENCODERS) == set(CHANNELS)
    assert len({c.suffix for c in CHANNELS.values()}) == len(CHANNELS)


def test_every_campaign_has_a_shipped_prompt_and_approved_templates_in_every_channel() -> None:
    assert sorted(p.stem for p in shipped_prompts().glob("*.j2")) == sorted(CAMPAIGNS)
    for campaign in CAMPAIGNS:
        assert load_prompt(campaign, None).header.campaign == campaign
    usable = [t.header for t in load_library(None).usable() if t.header is not None]
    for campaign in CAMPAIGNS:
        for channel in CHANNELS:
            assert any(
                h.campaign == campaign and h.channel == channel and h.language == "en"
                for h in usable
            ), (campaign, channel)


def _params(group: click.Group) -> list[click.Parameter]:
    found = []
    for command in group.commands.values():
        if isinstance(command, click.Group):
            found += _params(command)
        else:
            found += command.params
    return found


def test_the_command_line_offers_exactly_the_tables() -> None:
    seen: dict[str, list[list[str]]] = {}
    for param in _params(cli):
        if isinstance(param.type, click.Choice) and param.name in {"campaign", "channel", "length"}:
            seen.setdefault(param.name, []).append(list(param.type.choices))
    assert len(seen["campaign"]) >= 4  # draft, batch, templates new, prompts show
    assert all(choices == list(CAMPAIGNS) for choices in seen["campaign"])
    assert all(choices in (list(CHANNELS), [*CHANNELS, "auto"]) for choices in seen["channel"])
    assert all(choices == list(LENGTHS) for choices in seen["length"])


def test_no_other_module_spells_a_campaign_name() -> None:
    package = ROOT / "src" / "followup"
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative in SPELLED_OUT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in CAMPAIGNS:
                found.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert found == []
