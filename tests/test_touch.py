"""The second touch: who is due it (the history), what it is (a short reply in the thread,
from templates of its own), and how its file carries the thread. The whole loop against a
real mail server is tests/test_mail_loop.py."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from followup import api
from followup.history.mail import Mark, Read, Seen
from followup.history.store import record_drafts
from followup.history.threads import Previous, due, record_sync
from followup.llm.prompts import build_messages, load_prompt
from followup.outbox.messages import eml_bytes
from followup.outbox.names import safe_name
from followup.settings import ContactSettings

DAY = dt.date(2026, 11, 22)
SENT = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("subject", "reply"),
    [
        ("5% off orders until December 20", "Re: 5% off orders until December 20"),
        ("Re: 5% off", "Re: 5% off"),
        ("RE: Re: AW: Angebot", "Re: Angebot"),
        ("回复：感谢2026年的合作", "Re: 感谢2026年的合作"),
        ("Re[2]: Prices", "Re: Prices"),
        ("Reorder plan", "Re: Reorder plan"),  # a word that starts like a prefix stays
    ],
)
def test_a_reply_subject_has_one_re(subject: str, reply: str) -> None:
    from followup.drafting.touch import reply_subject

    assert reply_subject(subject) == reply


def _record(root: Path, customer: str, touch: int, message_id: str) -> dict[str, object]:
    key = f"{customer}.urgency.email" + (f".t{touch}" if touch > 1 else "")
    record = {
        "customer_id": customer, "campaign": "urgency", "channel": "email", "language": "de",
        "sender_name": "Amy Zhao", "template_id": "urgency-email-de", "engine": "template",
        "fingerprint": key, "file": f"{key}.eml", "status": "ok", "message_id": message_id,
        "recipient": f"buyer@{customer.lower()}.example", "subject": "Angebot", "touch": touch,
    }  # fmt: skip
    record_drafts(root, root / "ob", [record], DAY)
    return record


def _sent(uid: int, message_id: str, to: str, at: dt.datetime = SENT) -> Seen:
    return Seen(uid, message_id, (), "amy@ours.example", (to,), "Angebot", at, "sent")


def _history(root: Path) -> None:
    """C1 and C2 sent their first touch on the 23rd; C3's first touch was never sent."""
    for n in (1, 2, 3):
        _record(root, f"C{n}", 1, f"<c{n}.followup@ours.example>")
    seen = [_sent(n, f"<c{n}.followup@ours.example>", f"buyer@c{n}.example") for n in (1, 2)]
    record_sync(root, "amy", ["Amy Zhao"], ["amy@ours.example"],
                [Read("Sent", seen, Mark(1, 2))])  # fmt: skip


def test_due_waits_the_campaigns_days_and_a_new_order_ends_the_sequence(tmp_path: Path) -> None:
    _history(tmp_path)
    rules = ContactSettings()
    assert [d.customer_id for d in due(tmp_path, dt.date(2026, 11, 30), rules=rules)] == [
        "C1", "C2"
    ]  # fmt: skip
    assert due(tmp_path, dt.date(2026, 11, 29), rules=rules) == []  # 6 days: not yet
    five = ContactSettings(touch_after={"urgency": 5})
    assert len(due(tmp_path, dt.date(2026, 11, 28), rules=five)) == 2
    ordered = {"C2": dt.date(2026, 11, 25)}  # C2 ordered after the email: no next touch
    found = due(tmp_path, dt.date(2026, 11, 30), rules=rules, ordered=ordered)
    assert [d.customer_id for d in found] == ["C1"]
    (first,) = found
    assert (first.touch, first.previous.message_id, first.previous.language) == (
        2, "<c1.followup@ours.example>", "de"
    )  # fmt: skip
    assert first.previous.thread == ("<c1.followup@ours.example>",)


def test_after_the_last_touch_allowed_nobody_is_due(tmp_path: Path) -> None:
    _history(tmp_path)
    _record(tmp_path, "C1", 2, "<c1t2.followup@ours.example>")
    later = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    record_sync(tmp_path, "amy", ["Amy Zhao"], ["amy@ours.example"],
                [Read("Sent", [_sent(3, "<c1t2.followup@ours.example>", "buyer@c1.example",
                                     later)], Mark(1, 3))])  # fmt: skip
    day = dt.date(2026, 12, 20)
    three = {d.customer_id: d for d in due(tmp_path, day, rules=ContactSettings(max_touches=3))}
    assert three["C1"].touch == 3  # touch 2 sent: touch 3 is next, in the same thread
    assert three["C1"].previous.thread == (
        "<c1.followup@ours.example>", "<c1t2.followup@ours.example>"
    )  # fmt: skip
    two = {d.customer_id for d in due(tmp_path, day, rules=ContactSettings(max_touches=2))}
    assert two == {"C2"}  # C1 had its two touches


def _previous(language: str = "fr") -> Previous:
    return Previous(
        touch=1,
        message_id="<first.followup@everbright.example>",
        references=(),
        subject="5 % de remise sur vos commandes jusqu'au 20 décembre",
        sent_on=dt.date(2026, 11, 23),
        language=language,
        text="Bonjour,\n\nLe texte du premier message, que le modèle ne doit pas répéter.\n",
    )


def test_a_second_touch_is_a_reply_in_the_thread_from_its_own_template(
    sample_workspace: Path,
) -> None:
    bench = api.workbench(api.load(sample_workspace), as_of="2026-11-30")
    customer = sorted(bench.profiles)[0]
    plan = api.preflight(bench, "urgency", touch=2, previous={customer: _previous()})
    (planned,) = plan.drafts
    assert planned.request.key == f"{customer}.urgency.email.t2"
    assert planned.request.language == "fr"  # the first message's, not the customer's
    made = api.engine(bench).draft(planned.request)
    assert made.template_id == "urgency-email-fr-t2"
    assert made.subject == "Re: 5 % de remise sur vos commandes jusqu'au 20 décembre"
    assert "23 novembre" in made.body
    parsed = message_from_bytes(eml_bytes(made, dt.date(2026, 11, 30)), policy=default)
    assert parsed["In-Reply-To"] == "<first.followup@everbright.example>"
    assert parsed["References"] == "<first.followup@everbright.example>"
    assert safe_name(made.key) == made.key  # a plain file name, next to the first one's


def test_a_first_touch_never_picks_a_touch_two_template(sample_workspace: Path) -> None:
    bench = api.workbench(api.load(sample_workspace), as_of="2026-11-30")
    plan = api.preflight(bench, "urgency", limit=30)
    chosen = {api.engine(bench).draft(p.request).template_id for p in plan.drafts}
    assert chosen and not any(str(t).endswith("-t2") for t in chosen)


def test_the_llm_prompt_of_a_second_touch_carries_the_first_message(sample_workspace: Path) -> None:
    from followup.drafting.engine import TemplateEngine

    bench = api.workbench(api.load(sample_workspace), as_of="2026-11-30")
    customer = sorted(bench.profiles)[0]
    templates = TemplateEngine(bench)
    (planned,) = api.preflight(bench, "urgency", touch=2, previous={customer: _previous()}).drafts
    base = templates.baseline(planned.request)
    prompt = load_prompt("urgency", None)
    user = build_messages(prompt, base).user
    assert "sent on 2026-11-23 and the buyer has not answered" in user
    assert "que le modèle ne doit pas répéter" in user  # quoted as material, not a fact
    first = api.preflight(bench, "urgency", customers=(customer,)).drafts[0]
    first_base = templates.baseline(first.request)
    plain = build_messages(prompt, first_base).user
    assert "has not answered" not in plain


def test_an_llm_second_touch_may_say_when_the_first_went_out_and_nothing_new() -> None:
    import json

    from tests.test_llm_engine import bench as llm_bench
    from tests.test_llm_engine import engine as llm_engine

    bench = llm_bench()
    customer = "C1001"
    first = _previous("en")
    first = Previous(first.touch, first.message_id, (), "5% off orders until December 20",
                     dt.date(2026, 11, 15), "en", "Dear Santiago,\n\nOur year-end offer.\n")  # fmt: skip
    (planned,) = api.preflight(bench, "urgency", touch=2, previous={customer: first}).drafts
    honest = "I wrote to you on November 15, a week ago, and wanted to be sure it reached you."
    invented = "I wrote on November 15; for you I can add a 20% discount on top."
    for opening, kept in ((honest, False), (invented, True)):
        llm, client = llm_engine([json.dumps({"opening": opening})] * 3)
        draft = llm.draft(planned.request)
        assert draft.subject == "Re: 5% off orders until December 20"  # never rewritten
        assert draft.in_reply_to == first.message_id and draft.touch == 2
        assert ("opening" in draft.kept) is kept, draft.kept
        assert (opening in draft.body) is not kept
        assert "Our year-end offer." in client.requests[0]["messages"][1]["content"]
