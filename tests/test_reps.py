"""Each rep signs their own customers: From, signature and WhatsApp sender come from the
customer's owner (company.yaml `reps:`), the company's sender signs the rest, and the
pre-flight says who signs how many."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

import followup
from followup.errors import ConfigError
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")


def owner_of(customer: str) -> str:
    bench = followup.workbench(followup.load(sample=True), as_of="2026-11-22")
    return bench.profile(customer)["customer"]["owner"]


def test_a_customer_is_signed_by_its_own_rep() -> None:
    assert owner_of("C1055") == "Amy Zhao"
    out = run("draft", "C1055", "--campaign", "thanks", "--sample", *AS_OF).stdout
    assert out.rstrip().endswith(
        "Amy Zhao\nSales Manager, Europe\nNingbo Everbright Lighting Co., Ltd."
    )
    assert "Lily Chen" not in out


def test_an_owner_without_a_profile_is_signed_by_the_company_sender(tmp_path: Path) -> None:
    bench = followup.workbench(followup.load(sample=True), as_of="2026-11-22")
    grace = next(c for c, p in bench.profiles.items() if p["customer"]["owner"] == "Grace Xu")
    made = followup.draft(bench, grace, "urgency")
    assert made.sender_name == "Lily Chen" and made.body.rstrip().endswith(
        "Ningbo Everbright Lighting Co., Ltd."
    )
    result = run("batch", "--campaign", "urgency", "--sample", *AS_OF, "--dry-run")
    assert "  signed by: Amy Zhao " in result.output
    assert (
        "drafts of owners with no rep profile in company.yaml, signed by Lily Chen: Grace Xu ("
        in (result.output)
    )


def test_the_eml_is_from_the_rep(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    args = ("--owner", "Amy Zhao", "--limit", "3", "--out", str(out))
    run("batch", "--campaign", "thanks", "--sample", *AS_OF, *args)
    files = sorted(out.glob("*.eml"))
    assert len(files) == 3
    for eml in files:
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert message["From"] == "Amy Zhao <amy.zhao@everbright-lighting.example>"
        assert "Amy Zhao\r\nSales Manager, Europe" in message.get_content()  # CRLF, as sent


def test_owner_filter_takes_a_reps_alias() -> None:
    by_name = run(
        "batch", "--campaign", "urgency", "--sample", *AS_OF, "--owner", "Amy Zhao", "--dry-run"
    )
    by_alias = run(
        "batch", "--campaign", "urgency", "--sample", *AS_OF, "--owner", "赵敏", "--dry-run"
    )
    first = by_name.output.splitlines()[1]
    assert "customers targeted" in first and first == by_alias.output.splitlines()[1]


def test_one_spelling_for_two_reps_is_an_error_naming_both(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"), "--sample")
    company = tmp_path / "ws" / "company.yaml"
    text = company.read_text(encoding="utf-8").replace("aliases: [赵敏]", "aliases: [陈莉]")
    company.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="'陈莉' names both 'Lily Chen' and 'Amy Zhao'"):
        followup.workbench(followup.load(tmp_path / "ws"), as_of="2026-11-22")


def test_split_by_owner_writes_one_outbox_per_rep(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    result = run("batch", "--campaign", "thanks", "--sample", *AS_OF, "--out", str(out),
                 "--split-by-owner")  # fmt: skip
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["Amy Zhao", "Jason Liu", "Kevin Wang", "Lily Chen"]
    for folder in folders:
        senders = set()
        for eml in (out / folder).glob("*.eml"):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            senders.add(str(message["From"]).split(" <")[0])
        assert senders == {folder}, folder  # Grace Xu's customers: signed by Lily Chen
        assert (out / folder / "drafts.csv").is_file()
        assert f"Outbox: {out / folder}/" in result.output
    drafted = sum(len(list((out / f).glob("*.eml"))) for f in folders)
    assert drafted == int(result.output.split(" can be drafted")[0].split()[-1])
