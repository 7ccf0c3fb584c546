"""Drafting end to end: facts, levers, formatting, draft, batch, resume, pre-flight, demo."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import json
import shutil
from pathlib import Path

import pytest

from followup.data.facts import levers, load_facts
from followup.errors import ConfigError
from followup.formatting import Money, format_date, format_money, format_percent
from followup.outbox.folder import Entry
from followup.workspace import sample_root
from tests.conftest import run, write

AS_OF = ("--as-of", "2026-11-22")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", str(tmp_path / "ws"), "--sample")
    return tmp_path / "ws"


# --------------------------------------------------------------------------- facts


def test_sample_facts_give_three_levers_soonest_first() -> None:
    facts = load_facts(sample_root() / "company.yaml")
    found = levers(facts, dt.date(2026, 11, 22))
    assert [(lv.kind, lv.act_by) for lv in found] == [
        ("offer", dt.date(2026, 12, 20)),
        # closure 2027-01-30 minus 30 days lead time minus 5 days to book and load
        ("production", dt.date(2026, 12, 26)),
        ("price_change", dt.date(2027, 1, 14)),
    ]
    assert levers(facts, dt.date(2027, 2, 1)) == []


@pytest.mark.parametrize(
    ("buffer", "last_slot"), [(None, "2026-12-26"), (0, "2026-12-31"), (10, "2026-12-21")]
)
def test_the_last_slot_leaves_a_shipping_buffer_before_the_closure(
    tmp_path: Path, buffer: int | None, last_slot: str
) -> None:
    """Goods ready on the day the factory closes cannot be booked, inspected and loaded."""
    text = (sample_root() / "company.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "ship_buffer_days:" in line)
    text = text.replace(line, "" if buffer is None else f"  ship_buffer_days: {buffer}")
    write(tmp_path / "company.yaml", text)
    found = levers(load_facts(tmp_path / "company.yaml"), dt.date(2026, 11, 22))
    production = next(lv for lv in found if lv.kind == "production")
    assert production.act_by == dt.date.fromisoformat(last_slot)
    assert production.closure is not None and production.closure.start == dt.date(2027, 1, 30)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("  lead_time_days: 30", "  lead_time_days: -3"), "production.lead_time_days: Input should be greater than 0"),
        (("valid_until: 2026-12-20", "valid_until: soon"), "offers.0.valid_until: Input should be a valid date"),
        (("company: Ningbo", "compny: Ningbo"), "company: Field required (and 1 more problem)"),
        (("\nchanges:", "\nchanges:\n  weather: [x]\nold_changes:"), "changes: unknown loss reason 'weather'"),
        (("discount_percent: 5 ", "discount_percent: .nan "), "offers.0.discount_percent: Input should be a finite number, got nan"),
        (("discount_percent: 5 ", "discount_percent: .inf "), "offers.0.discount_percent: Input should be a finite number, got inf"),
        (("  lead_time_days: 30", "  lead_time_days: .nan"), "production.lead_time_days: Input should be a finite number, got nan"),
        (("  lead_time_days: 30", "  lead_time_days: .inf"), "production.lead_time_days: Input should be a finite number, got inf"),
    ],
)  # fmt: skip
def test_bad_company_facts_name_the_key(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    text = (sample_root() / "company.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    path = write(tmp_path / "company.yaml", text.replace(change[0], change[1], 1))
    with pytest.raises(ConfigError) as caught:
        load_facts(path)
    assert str(caught.value).startswith(f"{path}: {problem}")


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("locale", "money", "day", "percent"),
    [
        ("en", "USD 12,500.00", "December 20, 2026", "5%"),
        ("es", "12.500,00\xa0USD", "20 de diciembre de 2026", "5\xa0%"),
        ("de", "12.500,00\xa0USD", "20. Dezember 2026", "5\xa0%"),
        ("fr", "12\u202f500,00\xa0USD", "20 décembre 2026", "5\xa0%"),
        ("pt_BR", "USD\xa012.500,00", "20 de dezembro de 2026", "5%"),
    ],
)
def test_money_dates_and_percentages_follow_the_buyers_language(
    locale: str, money: str, day: str, percent: str
) -> None:
    assert format_money(Money(12500, "USD"), locale) == money
    assert format_date(dt.date(2026, 12, 20), locale) == day
    assert format_percent(5, locale) == percent


# --------------------------------------------------------------------------- draft


def test_draft_prints_subject_and_body_from_an_approved_template() -> None:
    result = run("draft", "C1001", "--campaign", "urgency", "--sample", *AS_OF)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("To: ") and lines[1].startswith("Subject: ")
    assert "Kevin Wang\nAccount Manager" in result.stdout  # C1001's rep signs
    assert "# C1001.urgency.email — template: urgency-email-" in result.stderr


def test_draft_is_deterministic_and_writes_to_an_outbox(tmp_path: Path) -> None:
    first = run("draft", "C1003", "--campaign", "thanks", "--sample", *AS_OF, "--out", "out").stdout
    second = run("draft", "C1003", "--campaign", "thanks", "--sample", *AS_OF).stdout
    assert first == second
    eml = next((tmp_path / "out").glob("*.eml")).read_bytes()
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert message["X-Unsent"] == "1" and message["X-Followup-Campaign"] == "thanks"


def test_draft_for_an_unknown_customer() -> None:
    result = run("draft", "C9999", "--campaign", "thanks", "--sample", *AS_OF, ok=False)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: no customer 'C9999' in the customers file or orders\n")


def test_lang_override_and_english_fallback() -> None:
    spanish = run("draft", "C1001", "--campaign", "thanks", "--lang", "es", "--sample", *AS_OF)
    assert "template: thanks-email-es" in spanish.stderr
    japanese = run("draft", "C1001", "--campaign", "thanks", "--lang", "ja", "--sample", *AS_OF)
    assert "template: thanks-email-en (language fallback to en)" in japanese.stderr


def test_reactivation_picks_the_angle_from_the_latest_loss_reason() -> None:
    from followup.data.dataset import Sources
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.workbench import prepare, request
    from followup.workspace import resolve

    bench = prepare(Sources(resolve(None, sample=True)), dt.date(2026, 11, 22))
    engine = TemplateEngine(bench)
    for customer_id, profile in sorted(bench.profiles.items()):
        if profile["loss"] is None:
            continue
        req = request(bench, customer_id, "reactivation", "email", "en")
        draft = engine.draft(req)
        assert draft.template_id == f"reactivation-{req.reason}-email-en"


# --------------------------------------------------------------------------- batch


def test_preflight_names_the_missing_field(workspace: Path) -> None:
    result = run(
        "batch", "--campaign", "reactivation", "--workspace", str(workspace), *AS_OF, "--dry-run"
    )
    out = result.stdout
    assert out.startswith("Pre-flight — reactivation: ")
    assert "C1032     no email address (customers file, column email)" in out
    assert not (workspace / "outbox" / "drafts.csv").exists()  # dry run: nothing drafted
    whatsapp = run("batch", "--campaign", "urgency", "--channel", "whatsapp", "--workspace",
                   str(workspace), *AS_OF, "--dry-run").stdout  # fmt: skip
    assert "no WhatsApp number (customers file, column whatsapp)" in whatsapp


def test_explain_says_why_each_customer_is_targeted(workspace: Path) -> None:
    out = run(
        "batch",
        "--campaign",
        "thanks",
        "--workspace",
        str(workspace),
        *AS_OF,
        "--dry-run",
        "--explain",
    ).stdout
    assert "Targeted because:" in out
    assert "a VIP or steady customer by RFM" in out


def test_batch_writes_eml_and_indexes_then_skips_unchanged(workspace: Path) -> None:
    out = workspace / "outbox"
    args = (
        "batch",
        "--campaign",
        "reactivation",
        "--workspace",
        str(workspace),
        *AS_OF,
        "--out",
        str(out),
    )
    first = run(*args).stdout
    assert "Done: " in first and " 0 failed" in first
    emls = sorted(out.glob("*.eml"))
    rows = list(csv.DictReader((out / "drafts.csv").open(encoding="utf-8-sig")))
    assert len(rows) == len(emls) > 10
    message = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)
    assert message["X-Followup-Template"].startswith("reactivation-")
    assert len(message["X-Followup-Template-Hash"].strip()) == 64
    second = run(*args).stdout
    assert f"Done: 0 drafted, {len(rows)} unchanged (skipped)" in second


def test_a_killed_batch_rerun_ends_with_the_full_set_and_no_duplicates(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import followup.outbox.folder

    args = ["batch", "--campaign", "thanks", "--workspace", str(workspace), *AS_OF]
    run(*args, "--out", str(tmp_path / "clean"))
    settings = workspace / "followup.toml"  # the same buyers into a second outbox, on purpose
    settings.write_text(settings.read_text(encoding="utf-8") + "\n[contact]\ncooldown_days = 0\n")
    clean = (tmp_path / "clean" / "drafts.jsonl").read_text(encoding="utf-8").splitlines()

    real_store = followup.outbox.folder.Outbox.store
    calls = {"n": 0}

    def dying_store(self: followup.outbox.folder.Outbox, entry: Entry, data: bytes) -> Entry:
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real_store(self, entry, data)

    monkeypatch.setattr(followup.outbox.folder.Outbox, "store", dying_store)
    killed = run(*args, "--out", str(tmp_path / "killed"), ok=False)
    assert killed.exit_code == 130
    monkeypatch.setattr(followup.outbox.folder.Outbox, "store", real_store)
    rerun = run(*args, "--out", str(tmp_path / "killed")).stdout
    assert "6 unchanged (skipped)" in rerun
    resumed = (tmp_path / "killed" / "drafts.jsonl").read_text(encoding="utf-8").splitlines()
    assert resumed == clean
    keys = [json.loads(line)["key"] for line in resumed]
    assert len(keys) == len(set(keys))


def test_strict_turns_findings_into_failures(workspace: Path) -> None:
    facts = workspace / "company.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(
        text.replace(
            "  - guaranteed lowest price", "  - guaranteed lowest price\n  - Everbright Lighting"
        ),
        encoding="utf-8",
    )
    args = ("batch", "--campaign", "thanks", "--limit", "3", "--workspace", str(workspace), *AS_OF)
    lenient = run(*args, "--out", str(workspace / "a"))
    assert "3 drafts have check findings" in lenient.stdout
    strict = run(*args, "--strict", "--out", str(workspace / "b"), ok=False)
    assert strict.exit_code == 1
    assert "failed (3)" in strict.stdout


# --------------------------------------------------------------------------- init / demo


def test_init_creates_a_workspace_a_team_can_fill_in(tmp_path: Path) -> None:
    run("init", "team")
    team = tmp_path / "team"
    for name in ("followup.toml", "company.yaml", "data/README.md", "templates", "prompts",
                 "outbox"):  # fmt: skip
        assert (team / name).exists(), name
    # no header-only tables: they would shadow the exports the team drops in data/
    assert sorted(p.name for p in (team / "data").iterdir()) == ["README.md"]
    again = run("init", "team", ok=False)
    assert again.exit_code == 2 and "exists and is not empty" in again.stderr


def test_demo_drafts_all_three_campaigns_offline(tmp_path: Path) -> None:
    result = run("demo", *AS_OF)
    demo = tmp_path / "followup-demo"
    rows = list(csv.DictReader((demo / "outbox" / "drafts.csv").open(encoding="utf-8-sig")))
    assert {r["campaign"] for r in rows} == {"urgency", "reactivation", "thanks"}
    assert {r["language"] for r in rows} >= {"en", "es", "de", "fr", "pt"}
    assert (demo / "segments.csv").exists()
    assert "Look at:" in result.stdout
    # each buyer's rep signs, and the demo says who was held back and why
    assert "held back: 79 reactivation first;" in result.stdout
    assert "Signed by each buyer's rep: Amy Zhao " in result.stdout
    assert "  and by the company's sender Lily Chen: Grace Xu " in result.stdout
    assert "\n中文对照 of " in result.stdout and "  主题：" in result.stdout
    shutil.rmtree(demo)


def test_top_products_most_ordered_first_ties_by_name_blanks_left_out() -> None:
    import pyarrow as pa

    from followup.analysis.customer_stats import _top_products

    rows = [("A", "p2")] * 3 + [("A", "p1")] * 3 + [("A", "p3"), ("A", "p4"), ("A", "p4")]
    rows += [("A", "  ")] * 5 + [("A", None), (None, "p5"), ("B", "p9")]
    lines = pa.table(
        {
            "customer_id": pa.array([c for c, _ in rows], pa.string()),
            "product": pa.array([p for _, p in rows], pa.string()),
        }
    )
    assert _top_products(lines) == {"A": ["p1", "p2", "p4"], "B": ["p9"]}
    assert _top_products(lines, limit=1) == {"A": ["p1"], "B": ["p9"]}
