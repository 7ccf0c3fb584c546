"""The outbox: .eml/.txt drafts, records, the index, resuming after a kill, determinism."""

from __future__ import annotations

import csv
import datetime
import email.policy
import hashlib
import json
import subprocess
import sys
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.drafting.checks import placeholder_findings
from followup.drafting.draft import Draft, Finding
from followup.errors import DraftError
from followup.files import csv_row, csv_text
from followup.outbox.folder import CSV_COLUMNS, Outbox, safe_name
from followup.outbox.messages import wa_link

AS_OF = datetime.date(2024, 5, 15)


def email_draft(**changes: Any) -> Draft:
    values: dict[str, Any] = {
        "customer_id": "C1042",
        "campaign": "reactivation",
        "channel": "email",
        "language": "es",
        "subject": "=SUM(1+1) Novedades para Müller GmbH",
        "body": "Hola José,\n\nHace tiempo que no sabemos de ustedes — ¿qué tal?\n\nLily Chen\n",
        "recipient": "jose@muller.example",
        "recipient_name": "José Peña",
        "company": "Müller GmbH",
        "segment": "at_risk",
        "sender_name": "Lily Chen",
        "sender_email": "lily@factory.example",
        "engine": "template",
        "template_id": "reactivation.es",
        "template_hash": "a1b2c3",
        "findings": [Finding("subject_length", "subject is 72 characters", "warning")],
        "fingerprint": "f" * 64,
    }
    return Draft(**{**values, **changes})


def whatsapp_draft(**changes: Any) -> Draft:
    values: dict[str, Any] = {
        "customer_id": "C2001",
        "campaign": "new_product",
        "channel": "whatsapp",
        "language": "en",
        "subject": None,
        "body": "Hi Ahmed, our new 5 kg model is out: 20% off & free samples?\nLily",
        "recipient": "+971 50-123 4567",
        "recipient_name": "Ahmed",
        "company": "Al Noor Trading",
        "segment": "loyal",
        "sender_name": "Lily Chen",
        "sender_email": "lily@factory.example",
        "engine": "llm",
        "prompt_id": "new_product",
        "prompt_hash": "p9",
        "model": "gpt-4o-mini",
        "tokens_in": 812,
        "tokens_out": 95,
        "latency_ms": 1234,
        "findings": [Finding("placeholder", "unfilled {name}")],
        "fingerprint": "0" * 64,
    }
    return Draft(**{**values, **changes})


def parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def rerun(outbox: Outbox, drafts: list[Draft]) -> None:
    """What a batch does: write only the drafts that are not current."""
    for draft in drafts:
        if not outbox.is_current(draft.key, draft.fingerprint):
            outbox.write(draft)


def three_drafts() -> list[Draft]:
    return [
        email_draft(),
        whatsapp_draft(),
        email_draft(customer_id="C0007", fingerprint="7" * 64, recipient_name="Zhang Wei 张伟"),
    ]


def test_eml_headers_and_body(tmp_path: Path) -> None:
    path = Outbox(tmp_path, date=AS_OF).write(email_draft())
    assert path == tmp_path / "C1042.reactivation.email.eml"
    raw = path.read_bytes()
    assert raw.isascii()
    assert b"\r\n" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")
    message = parse(path)
    assert message["From"].addresses[0].display_name == "Lily Chen"
    assert message["From"].addresses[0].addr_spec == "lily@factory.example"
    assert message["To"].addresses[0].display_name == "José Peña"
    assert message["To"].addresses[0].addr_spec == "jose@muller.example"
    assert message["Subject"] == "=SUM(1+1) Novedades para Müller GmbH"
    assert message["Date"] == "Wed, 15 May 2024 12:00:00 +0000"
    assert message["Date"].datetime == datetime.datetime(2024, 5, 15, 12, tzinfo=datetime.UTC)
    # a real, stable id on the sender's domain: the mailbox push finds the draft by it
    domain = message["From"].rpartition("@")[2].rstrip(">")
    assert message["Message-ID"] == f"<{message['Message-ID'][1:33]}.followup@{domain}>"
    assert message["X-Unsent"] == "1"
    assert message["X-Followup-Campaign"] == "reactivation"
    assert message["X-Followup-Customer"] == "C1042"
    assert message["X-Followup-Engine"] == "template"
    assert message["X-Followup-Template"] == "reactivation.es"
    assert message["X-Followup-Template-Hash"] == "a1b2c3"
    assert message["X-Followup-Model"] is None
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == email_draft().body


def test_message_id_follows_the_fingerprint(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    first = parse(outbox.write(email_draft()))["Message-ID"]
    second = parse(outbox.write(email_draft(fingerprint="e" * 64)))["Message-ID"]
    other = parse(outbox.write(email_draft(customer_id="C9")))["Message-ID"]
    assert len({first, second, other}) == 3


def test_eml_without_recipient_has_no_to(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    message = parse(outbox.write(email_draft(recipient="")))
    assert message["To"] is None
    assert message["From"].addresses[0].addr_spec == "lily@factory.example"
    assert outbox.records()[0]["recipient"] == ""


def test_eml_international_domain_and_multiline_subject(tmp_path: Path) -> None:
    draft = email_draft(recipient="info@müller.de", subject="Hello\nBcc: x@evil.example")
    message = parse(Outbox(tmp_path, date=AS_OF).write(draft))
    assert message["To"].addresses[0].addr_spec == "info@xn--mller-kva.de"
    assert message["Subject"] == "Hello Bcc: x@evil.example"
    assert message["Bcc"] is None


@pytest.mark.parametrize("bad", ["not an email", "a@b@c", "josé@example.com", "x@a..b"])
def test_eml_unusable_recipient(tmp_path: Path, bad: str) -> None:
    with pytest.raises(DraftError) as caught:
        Outbox(tmp_path, date=AS_OF).write(email_draft(recipient=bad))
    assert str(caught.value) == (
        f"C1042.reactivation.email: the recipient email {bad!r} is not a usable address: "
        "correct it in the data"
    )
    assert not list(tmp_path.rglob("*.*"))


def test_unknown_channel(tmp_path: Path) -> None:
    with pytest.raises(DraftError) as caught:
        Outbox(tmp_path, date=AS_OF).write(email_draft(channel="fax"))
    assert (
        str(caught.value) == "C1042.reactivation.fax: unknown channel 'fax': use email or whatsapp"
    )


def test_whatsapp_text_and_link(tmp_path: Path) -> None:
    draft = whatsapp_draft()
    path = Outbox(tmp_path, date=AS_OF).write(draft)
    assert path == tmp_path / "C2001.new_product.whatsapp.txt"
    body, link = path.read_text(encoding="utf-8").split("\n\n")
    assert body == draft.body
    parts = urlsplit(link.rstrip("\n"))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/971501234567")
    assert parse_qs(parts.query)["text"] == [draft.body]
    assert link.endswith("\n")
    assert " " not in link.strip()


def test_wa_link_numbers() -> None:
    assert wa_link("", "hi there") == "https://wa.me/?text=hi%20there"
    assert wa_link("0086 138-0013-8000", "a&b") == "https://wa.me/8613800138000?text=a%26b"
    assert wa_link("＋８６ １３８", "你好") == "https://wa.me/86138?text=%E4%BD%A0%E5%A5%BD"


def test_index_jsonl_and_csv(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    rerun(outbox, three_drafts())
    index = outbox.finish()
    assert (index.drafts, index.by_status) == (3, {"findings": 1, "ok": 2})
    keys = ["C0007.reactivation.email", "C1042.reactivation.email", "C2001.new_product.whatsapp"]
    lines = index.jsonl.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["key"] for r in records] == keys
    assert "Zhang Wei 张伟" in lines[0]  # not \u-escaped
    file = tmp_path / "C2001.new_product.whatsapp.txt"
    written = {
        "file_sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
        "file_size": file.stat().st_size,
    }
    assert records[2] == {
        **whatsapp_draft().record(),
        "file": file.name,
        "edited": False,
        **written,
    }
    assert records == outbox.records()
    raw = index.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with index.csv.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    assert [row["key"] for row in rows] == keys
    row = rows[1]
    assert row["subject"] == "'=SUM(1+1) Novedades para Müller GmbH"
    assert row["company"] == "Müller GmbH"
    assert row["body"] == email_draft().body
    assert row["file"] == "C1042.reactivation.email.eml"
    assert row["findings"] == "subject_length: subject is 72 characters"
    assert (row["status"], row["language_fallback"], row["model"]) == ("ok", "false", "")
    whatsapp = rows[2]
    assert whatsapp["recipient"] == "'+971 50-123 4567"  # Excel would compute it
    assert (whatsapp["tokens_in"], whatsapp["status"]) == ("812", "findings")
    for cell in (c for r in rows for c in r.values()):
        assert not cell.startswith(("=", "@", "\t", "\r")), cell


def test_formula_like_cells_are_defused(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    outbox.write(whatsapp_draft(company="+cmd|' /C calc'!A0", body="@SUM(A1)", recipient=""))
    index = outbox.finish()
    with index.csv.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["company"] == "'+cmd|' /C calc'!A0"
    assert row["body"] == "'@SUM(A1)"


def test_is_current(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    draft = email_draft()
    assert not outbox.is_current(draft.key, draft.fingerprint)
    path = outbox.write(draft)
    assert outbox.is_current(draft.key, draft.fingerprint)
    assert not outbox.is_current(draft.key, "e" * 64)
    assert not outbox.is_current("C9.reactivation.email", draft.fingerprint)
    path.unlink()
    assert not outbox.is_current(draft.key, draft.fingerprint)
    assert outbox.records() == []


def test_empty_fingerprint_is_never_current(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    draft = email_draft(fingerprint="")
    outbox.write(draft)
    assert not outbox.is_current(draft.key, "")


def test_rewrite_with_new_fingerprint_replaces(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    outbox.write(email_draft())
    changed = email_draft(subject="Nuevo catálogo", fingerprint="e" * 64)
    rerun(outbox, [changed])
    index = outbox.finish()
    assert index.drafts == 1
    (record,) = outbox.records()
    assert (record["subject"], record["fingerprint"]) == ("Nuevo catálogo", "e" * 64)
    assert parse(tmp_path / record["file"])["Subject"] == "Nuevo catálogo"
    assert outbox.is_current(changed.key, changed.fingerprint)
    assert not outbox.is_current(changed.key, "f" * 64)
    assert len(index.jsonl.read_text(encoding="utf-8").splitlines()) == 1


def test_rerun_after_kill_ends_like_an_uninterrupted_run(tmp_path: Path) -> None:
    drafts = three_drafts()
    clean = tmp_path / "clean"
    rerun(Outbox(clean, date=AS_OF), drafts)
    Outbox(clean, date=AS_OF).finish()

    killed = tmp_path / "killed"
    outbox = Outbox(killed, date=AS_OF)
    rerun(outbox, drafts)
    outbox.finish()
    journal = killed / ".journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if b'"key": "C1042.reactivation.email"' in line)
    # killed while appending C1042's record: half of its line is on disk, nothing after it
    journal.write_bytes(b"".join(lines[:cut]) + lines[cut][:40])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    leftover = killed / f".C1042.reactivation.email.eml.{dead.stdout.strip()}.7.tmp"
    leftover.write_bytes(b"half a dra")  # atomic_write's temp file, its process gone
    (killed / "drafts.jsonl").write_text("half an index\n")

    outbox = Outbox(killed, date=AS_OF)
    assert leftover.exists()  # opening an outbox (a dry run) removes nothing
    redone = [d.key for d in drafts if not outbox.is_current(d.key, d.fingerprint)]
    lost = [json.loads(line)["key"] for line in lines[cut:]]  # the cut line and any after it
    assert sorted(redone) == sorted(lost)
    assert "C1042.reactivation.email" in redone
    rerun(outbox, drafts)
    index = outbox.finish()
    assert not leftover.exists()  # the first write sweeps the dead run's temp files
    assert index.drafts == 3
    assert len(index.jsonl.read_text(encoding="utf-8").splitlines()) == 3
    assert tree(killed) == tree(clean)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_byte_identical_output(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        outbox = Outbox(tmp_path / folder, date=AS_OF)
        for draft in reversed(three_drafts()):
            outbox.write(draft)
        outbox.finish()
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert len(first) == 3 + 1 + 1 + 2  # drafts, journal, lock, indexes
    assert first == second


def test_other_day_other_date_header(tmp_path: Path) -> None:
    path = Outbox(tmp_path, date=datetime.date(2025, 1, 2)).write(email_draft())
    assert parse(path)["Date"] == "Thu, 02 Jan 2025 12:00:00 +0000"


def test_unsafe_keys_become_distinct_file_names(tmp_path: Path) -> None:
    assert safe_name("C1042.reactivation.email") == "C1042.reactivation.email"
    names = {safe_name(k) for k in ("C/1.a.email", "C_1.a.email", "C 1.a.email", "..a.email")}
    assert len(names) == 4
    for name in names:
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
        assert not name.startswith(".")
    outbox = Outbox(tmp_path, date=AS_OF)
    path = outbox.write(email_draft(customer_id="../客户/1"))
    assert path.parent == tmp_path
    assert outbox.is_current("../客户/1.reactivation.email", "f" * 64)
    assert outbox.records()[0]["key"] == "../客户/1.reactivation.email"


def test_tampered_record_is_ignored(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, date=AS_OF)
    draft = email_draft()
    outbox.write(draft)
    outbox.finish()
    journal = tmp_path / ".journal.jsonl"
    record = json.loads(journal.read_text(encoding="utf-8"))
    journal.write_text(json.dumps({**record, "file": "../outside.eml"}) + "\n", encoding="utf-8")
    assert not Outbox(tmp_path, date=AS_OF).is_current(draft.key, draft.fingerprint)
    journal.write_text("not json\n", encoding="utf-8")
    outbox = Outbox(tmp_path, date=AS_OF)
    assert outbox.records() == []
    assert outbox.finish().drafts == 0


_CELL = st.one_of(
    st.text(alphabet=st.sampled_from("ab ,\"\n\r=+-@\t'é"), max_size=8),
    st.text(max_size=6),
    st.integers(),
    st.none(),
    st.floats(allow_nan=False),
    st.booleans(),
)


@given(st.lists(st.lists(_CELL, min_size=1, max_size=5), max_size=4))
def test_csv_row_writes_what_the_csv_module_writes(rows: list[list[Any]]) -> None:
    header = ["a", "b"]
    expected = csv_text(header, rows)
    assert csv_row(header, safe=False) + "".join(csv_row(row) for row in rows) == expected


def test_placeholders_are_found_past_the_cheap_first_pass() -> None:
    found = {
        text: [f.message for f in placeholder_findings(email_draft(subject="Hi", body=text))]
        for text in ("Dear [Name],", "Price: XXX", "date tbd", "Hi <name>", "{{ x }}", "ok")
    }
    assert found == {
        "Dear [Name],": ["body holds an unfilled placeholder '[Name]'"],
        "Price: XXX": ["body holds an unfilled placeholder 'XXX'"],
        "date tbd": ["body holds an unfilled placeholder 'tbd'"],
        "Hi <name>": ["body holds an unfilled placeholder '<name>'"],
        "{{ x }}": ["body holds an unfilled placeholder '{{'"],
        "ok": [],
    }
