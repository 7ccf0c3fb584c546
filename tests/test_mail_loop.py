"""The whole loop against a real IMAP server (Dovecot on 127.0.0.1, tests/imap_server.py):
batch → a manager's review in review.xlsx → push → the rep sends from the mail client →
sync → due → the second touch, drafted as a reply in the thread → push."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import run
from tests.imap_server import Server, imap_server
from tests.test_push import USERS, workspace
from tests.test_review import decide
from tests.test_sync import answer, append, drafts_of, send

FIRST = ("--as-of", "2026-11-22")
Ws = tuple[str, str]


def first_touch(server: Server, root: Path, ws: Ws) -> dict[str, EmailMessage]:
    """Four urgency drafts; the manager holds one; the other three pushed to Amy's Drafts."""
    out = root / "ob"
    run("batch", "--campaign", "urgency", "--owner", "Amy Zhao", "--limit", "4", *ws,
        *FIRST, "--out", str(out))  # fmt: skip
    keys = sorted(path.name.removesuffix(".eml") for path in out.glob("*.eml"))
    assert len(keys) == 4
    decide(out / "review.xlsx", dict.fromkeys(keys[:3], ("send", "")) | {keys[3]: ("hold", "")})
    run("review", "apply", str(out / "review.xlsx"), *ws)
    pushed = run("push", str(out), *ws, *FIRST).stdout
    assert pushed.startswith("Pushed 3 drafts (")  # the held draft stays a file
    first = {str(d["X-Followup-Customer"]): d for d in drafts_of(server, "amy")}
    assert len(first) == 3
    return first


def second_touch(server: Server, root: Path, ws: Ws, sent: set[str]) -> dict[str, EmailMessage]:
    """`batch --touch 2 --due` a week after the first messages went out, pushed."""
    again = root / "ob2"
    second = ("batch", "--campaign", "urgency", "--touch", "2", "--due", *ws, "--out", str(again))
    plan = run(*second, "--as-of", "2026-11-30", "--dry-run").stdout
    assert plan.startswith("Pre-flight — urgency touch 2: 2 customers targeted, 2 can be")
    run(*second, "--as-of", "2026-11-30")
    pushed = run("push", str(again), *ws, "--all", "--as-of", "2026-11-30").stdout
    assert pushed.startswith("Pushed 2 drafts (")
    return {
        str(d["X-Followup-Customer"]): d
        for d in drafts_of(server, "amy")
        if str(d["Message-ID"]) not in sent
    }


def test_batch_review_push_send_sync_due_and_a_second_touch_in_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        ws = ("--workspace", str(root))
        first = first_touch(server, root, ws)
        answered, quiet, other = sorted(first)
        ids = {cid: send(server, "amy", draft) for cid, draft in first.items()}
        append(server, "amy", "INBOX", answer(first[answered], ids[answered], hours=4))
        synced = run("sync", *ws, "--as-of", "2026-11-24").stdout
        assert synced.startswith("amy: 4 new messages; 3 follow-ups sent, 1 answered")

        due = run("due", *ws, "--campaign", "urgency", "--as-of", "2026-11-30").stdout
        assert due.startswith("2 buyers due a next touch")
        assert quiet in due and other in due and answered not in due
        assert run("due", *ws, "--as-of", "2026-11-27").stdout == (
            "No buyer is due a next touch.\n"  # sent on the 23rd: 7 days are not over
        )

        touched = second_touch(server, root, ws, {str(d["Message-ID"]) for d in first.values()})
        assert sorted(touched) == sorted((quiet, other))
        for cid, reply in touched.items():
            assert reply["In-Reply-To"] == ids[cid]
            assert str(reply["References"]).split() == [ids[cid]]
            assert reply["Subject"] == f"Re: {first[cid]['Subject']}"
            assert (reply["To"], reply["From"]) == (first[cid]["To"], first[cid]["From"])
            # in the first one's language, from the touch-2 template of its campaign
            assert reply["X-Followup-Template"] == f"{first[cid]['X-Followup-Template']}-t2"
            assert len(reply.get_content().split()) < len(first[cid].get_content().split())

        # the rep sends one second touch; the buyer answers it: that sequence ends there
        at = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
        second_id = send(server, "amy", touched[quiet], at=at)
        append(server, "amy", "INBOX", answer(touched[quiet], second_id, hours=2, sent_at=at))
        assert run("sync", *ws, "--as-of", "2026-12-02").stdout.startswith(
            "amy: 2 new messages; 1 follow-up sent, 1 answered"
        )
        timeline = run("history", quiet, *ws, "--as-of", "2026-12-02").stdout
        assert f"2026-12-01  sent      {quiet}.urgency.email.t2.eml" in timeline
        assert f"2026-12-01  answered  {quiet}.urgency.email.t2.eml" in timeline
        later = run("due", *ws, "--campaign", "urgency", "--as-of", "2026-12-10").stdout
        assert later.startswith("1 buyer due a next touch")
        assert quiet not in later and other in later  # its touch 2 is drafted, not sent


def test_a_later_touch_with_no_one_due_drafts_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        ws = ("--workspace", str(root))
        result = run("batch", "--campaign", "urgency", "--touch", "2", *ws, *FIRST,
                     "--out", str(root / "ob"))  # fmt: skip
        assert not (root / "ob").exists()
        assert result.stdout == (
            "No buyer is due touch 2 of urgency: `followup due` lists who is "
            "(`followup sync` reads what was sent and answered).\n"
        )
        bad = run("batch", "--campaign", "urgency", "--due", *ws, *FIRST, ok=False)
        assert bad.exit_code == 2 and "--touch 2" in bad.stderr
