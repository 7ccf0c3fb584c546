"""One buyer, one message: a buyer targeted by several campaigns gets the first of
`CONTACT_PRIORITY`, and the pre-flight of the others says who is held back and why."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import followup
from followup.campaigns import CONTACT_PRIORITY
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")


def test_the_demo_drafts_each_buyer_once(tmp_path: Path) -> None:
    run("demo")
    lines = (tmp_path / "followup-demo" / "outbox" / "drafts.jsonl").read_text(encoding="utf-8")
    per_buyer = collections.Counter(json.loads(line)["customer_id"] for line in lines.splitlines())
    assert len(per_buyer) > 250 and set(per_buyer.values()) == {1}


def test_a_lost_buyer_is_won_back_not_thanked_and_the_preflight_says_so() -> None:
    assert CONTACT_PRIORITY == ("reactivation", "urgency", "thanks")
    bench = followup.workbench(followup.load(sample=True), as_of="2026-11-22")
    thanks = followup.preflight(bench, "thanks")
    held = {h.customer_id: h.problem for h in thanks.held}
    assert held["C1020"] == "reactivation first: a loss is recorded and nothing was ordered since"
    assert "C1020" not in {p.request.customer_id for p in thanks.drafts}
    reactivation = followup.preflight(bench, "reactivation")
    assert "C1020" in {p.request.customer_id for p in reactivation.drafts}
    drafted = [followup.preflight(bench, c).drafts for c in CONTACT_PRIORITY]
    ids = [p.request.customer_id for planned in drafted for p in planned]
    assert len(ids) == len(set(ids))  # no buyer in two campaigns' batches

    out = run("batch", "--campaign", "thanks", "--sample", *AS_OF, "--dry-run").output
    assert "Held back: 29 (written to lately, or another campaign comes first for them;" in out
    assert "  13 reactivation first: a loss is recorded and nothing was ordered since (" in out


def test_ignore_cooldown_and_named_customers_are_never_held_back() -> None:
    bench = followup.workbench(followup.load(sample=True), as_of="2026-11-22")
    every = followup.preflight(bench, "thanks", ignore_cooldown=True)
    assert every.held == [] and "C1020" in {p.request.customer_id for p in every.drafts}
    named = followup.preflight(bench, "thanks", customers=("C1020",))
    assert [p.request.customer_id for p in named.drafts] == ["C1020"] and named.held == []


def test_a_cooldown_holds_back_a_buyer_written_to_lately_across_outboxes(tmp_path: Path) -> None:
    run("init", "ws", "--sample")
    ws = ("--workspace", "ws")
    run("batch", "--campaign", "thanks", *ws, "--as-of", "2026-11-22", "--out", "ws/a")
    champions = ("--segment", "champions", "--dry-run")
    later = run("batch", "--campaign", "urgency", *ws, "--as-of", "2026-11-25", *champions)
    assert "contacted 2026-11-22 (thanks), within 14 days (" in later.output
    assert "Held back: " in later.output
    after = run("batch", "--campaign", "urgency", *ws, "--as-of", "2026-12-06", *champions)
    assert "contacted" not in after.output  # 14 days on: free to write again
    forced = run("batch", "--campaign", "urgency", *ws, "--as-of", "2026-11-25", *champions,
                 "--ignore-cooldown")  # fmt: skip
    assert "Held back" not in forced.output
    # the same campaign into the same outbox again (a resume, a rerun) is no new contact
    rerun = run("batch", "--campaign", "thanks", *ws, "--as-of", "2026-11-23", "--out", "ws/a")
    assert "contacted" not in rerun.output and "0 failed" in rerun.output
    elsewhere = run("batch", "--campaign", "thanks", *ws, "--as-of", "2026-11-23", "--out",
                    "ws/b", "--dry-run")  # fmt: skip
    assert "contacted 2026-11-22 (thanks), within 14 days" in elsewhere.output


def test_a_team_sets_its_own_campaign_priority_in_followup_toml(tmp_path: Path) -> None:
    run("init", "ws", "--sample")
    settings = tmp_path / "ws" / "followup.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + '\n[contact]\npriority = ["thanks", "reactivation"]\n', "utf-8")
    bench = followup.workbench(followup.load(workspace="ws"), as_of="2026-11-22")
    thanks = followup.preflight(bench, "thanks")
    assert thanks.held == [] or all("first:" not in h.problem for h in thanks.held)
    assert "C1020" in {p.request.customer_id for p in thanks.drafts}  # thanks comes first now
    reactivation = followup.preflight(bench, "reactivation")
    held = {h.customer_id: h.problem for h in reactivation.held}
    assert held["C1020"].startswith("thanks first: ")
    urgency = followup.preflight(bench, "urgency")  # not listed: never held back for another
    assert not any("first:" in h.problem for h in urgency.held)

    settings.write_text(text + '\n[contact]\npriority = ["thanks", "welcome"]\n', "utf-8")
    bad = run("batch", "--campaign", "thanks", "--workspace", "ws", *AS_OF, "--dry-run", ok=False)
    assert bad.exit_code == 2
    assert bad.stderr.endswith(
        "Error: ws/followup.toml: contact.priority: unknown campaign 'welcome' (use urgency, "
        "reactivation, thanks)\n"
    )
