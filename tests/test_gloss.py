"""The rep's Chinese view of every draft (中文对照): printed under `followup draft`, carried
by the outbox index, never in the file the buyer gets."""

from __future__ import annotations

import csv
import email
import json
import re
from email.policy import default
from pathlib import Path

from followup.drafting.workbench import request
from tests.conftest import run
from tests.test_llm_engine import bench, engine, faithful_reply, wording

AS_OF = ("--as-of", "2026-11-22")


def test_draft_prints_the_chinese_view_under_the_draft_and_no_gloss_hides_it() -> None:
    shown = run("draft", "C1055", "--campaign", "thanks", "--sample", *AS_OF).stdout
    draft, view = shown.split("\n----- 中文对照（仅供您核对，不会发给客户）-----\n")
    assert draft.startswith("To: ") and "Guten Tag" in draft
    assert view.startswith("主题：") and "2026年" in view
    # the same facts: the year's figure as the German draft states it, in the Chinese view
    assert "52.730,50" in draft and "52,730.50" in view
    hidden = run("draft", "C1055", "--campaign", "thanks", "--sample", *AS_OF, "--no-gloss")
    assert hidden.stdout == draft


def test_the_index_carries_the_view_and_the_buyers_file_does_not(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    run("batch", "--campaign", "thanks", "--sample", *AS_OF, "--limit", "5", "--out", str(out))
    with (out / "drafts.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 and all(row["summary_zh"] for row in rows)
    records = [json.loads(line) for line in (out / "drafts.jsonl").read_text("utf-8").splitlines()]
    assert [r["summary_zh"] for r in records] == [row["summary_zh"] for row in rows]
    for row in rows:
        message = email.message_from_bytes((out / row["file"]).read_bytes(), policy=default)
        text = message.get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        sent = f"{message['Subject']}\n{text}"
        assert sent.strip().endswith(row["body"].strip()[-40:])  # the buyer's text ...
        assert not re.search("[\u4e00-\u9fff]", sent)  # ... and not one Chinese character


def test_an_llm_draft_carries_the_approved_templates_view() -> None:
    llm, _ = engine([faithful_reply()])
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.engine == "llm" and draft.summary_zh.startswith("主题：")
    assert "Importaciones Vargas S.A.S." in draft.summary_zh


def _summary(summary: str) -> tuple[str]:
    """The model's answer to the request for the rep's Chinese view of its parts."""
    return (json.dumps({"summary_zh": summary}, ensure_ascii=False),)


def test_an_llm_drafts_own_chinese_summary_is_kept_above_the_approved_view() -> None:
    """The model says in Chinese what its parts say; the rest of the message is the
    approved template's, and so is the Chinese view of it below."""
    faithful = "感谢Importaciones Vargas S.A.S. 2026年的两笔订单，希望尽早规划2027年的首批订单。"
    llm, client = engine([faithful_reply()], summaries=_summary(faithful))
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    ours, approved = draft.summary_zh.split("\n\n", maxsplit=1)
    assert ours == f"【模型改写：主题、开头、结尾】{faithful}" and draft.summary_zh_by == "model"
    assert approved.startswith("主题：") and "Importaciones Vargas S.A.S." in approved
    (asked,) = client.summary_requests  # on its own, after the guard
    assert "Thank you for 2026, Santiago" in asked["messages"][1]["content"]


def test_the_chinese_summary_is_asked_only_of_what_the_buyer_reads() -> None:
    """A region the guard refused is not summed up: the rep's view says what is sent."""
    bad = json.loads(faithful_reply())
    bad["opening"] += " As a thank-you we give you 37% off every order in 2027."
    again = json.dumps({"opening": bad["opening"]})
    llm, client = engine([json.dumps(bad), again], summaries=_summary("感谢贵司的合作。"))
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.rewritten == ["subject", "closing"] and "opening" in draft.kept
    (asked,) = client.summary_requests
    assert "37%" not in asked["messages"][1]["content"]
    assert "Chinese" not in client.requests[0]["messages"][1]["content"]  # the buyer's ask
    assert draft.summary_zh.startswith("【模型改写：主题、结尾】感谢贵司的合作。")


def test_a_draft_that_kept_every_approved_wording_shows_only_the_approved_view() -> None:
    """The model gave the approved wording back: nothing of its own to sum up."""
    llm, client = engine([json.dumps(wording())], summaries=_summary("感谢贵司一直以来的合作。"))
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert client.summary_requests == []  # nothing to sum up: not asked
    assert draft.rewritten == [] and draft.summary_zh_by == "template"
    assert draft.summary_zh.startswith("主题：") and "模型改写" not in draft.summary_zh


def test_a_summary_stating_a_figure_the_draft_does_not_is_refused() -> None:
    lying = "感谢贵司2026年的订单。2027年首单可享15%折扣。"
    llm, _ = engine([faithful_reply()], summaries=_summary(lying))
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.kept["summary_zh"] == "states 15, which the draft does not"
    assert draft.summary_zh.startswith("主题：")  # the approved template's view instead
    assert draft.summary_zh_by == "template"
    english = "Thank you for your two orders in 2026; let us plan 2027 together early."
    llm, _ = engine([faithful_reply()], summaries=_summary(english))
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.kept["summary_zh"] == "is not in Chinese"
