"""Templates a manager can trust (issue 14, point 4): no skeleton or mis-tagged text gets
approved, every approve and revoke is kept, a shipped template is overridden in the open,
and a manager can find a template's drafts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from followup.drafting.approval_log import read_log
from followup.drafting.library import load_library, shipped_root
from tests.conftest import run, write
from tests.test_library import GOOD, add_template

AS_OF = ("--as-of", "2026-11-22")
ENGLISH = (
    "Thank you for the orders you placed with us this year. Our factory is booking "
    "production slots for the first quarter now, and I would be glad to reserve one for you."
)
RUSSIAN = (
    "Благодарим вас за заказы в этом году. Сейчас наша фабрика бронирует производственные "
    "мощности на первый квартал, и я буду рад зарезервировать их для вас."
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", str(tmp_path / "ws"), "--sample")
    return tmp_path / "ws"


def ws_args(workspace: Path) -> tuple[str, str]:
    return ("--workspace", str(workspace))


def today() -> str:
    return dt.date.today().isoformat()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the skeleton ---------------------------------------------------------------------


def test_an_untouched_skeleton_cannot_be_approved_and_lint_reports_it(workspace: Path) -> None:
    ws = ws_args(workspace)
    run("templates", "new", "acme-urgency", "--campaign", "urgency", *ws)
    result = run("templates", "approve", "acme-urgency", "--by", "Grace Xu", *ws, ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: acme-urgency cannot be approved: still holds the skeleton's text "
        "'(subject, at most 80 characters)': write the template, then lint it\n"
    )
    assert read_log(workspace / "templates").history == []
    out = run("templates", "lint", *ws, ok=False).stdout
    assert (
        "acme-urgency: error: still holds the skeleton's text '(subject, at most 80 "
        "characters)': write the template, then lint it [skeleton]" in out
    )
    # the check on every draft knows the skeleton's text too
    assert (
        "acme-urgency: error: for C1001: subject holds an unfilled placeholder "
        "'(subject, at most 80 characters)' [placeholder]" in out
    )


def test_a_skeleton_with_its_subject_written_is_still_refused(workspace: Path) -> None:
    ws = ws_args(workspace)
    path = Path(run("templates", "new", "acme-thanks", "--campaign", "thanks", "--channel",
                    "whatsapp", *ws).stdout.split()[1].rstrip(":"))  # fmt: skip
    assert path.is_file()
    result = run("templates", "approve", "acme-thanks", "--by", "Grace Xu", *ws, ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: acme-thanks cannot be approved: still holds the skeleton's text "
        "'(Your text. Every figure, date and clai…': write the template, then lint it\n"
    )
    text = (
        path.read_text()
        .replace("(Your text.", "Thank you for this year.")
        .replace(
            " Every figure, date and claim must come from a variable: see docs/templates.md.)", ""
        )
    )
    path.write_text(text)
    result = run("templates", "approve", "acme-thanks", "--by", "Grace Xu", *ws, ok=False)
    assert result.stderr.endswith(
        "Error: acme-thanks cannot be approved: still holds the skeleton's text "
        "'(what this template is for)': write the template, then lint it\n"
    )


def test_approval_refuses_a_template_lint_finds_an_error_in(workspace: Path) -> None:
    add_template(workspace, "bad-name", "Hello {{ customr.company }}.")
    result = run("templates", "approve", "bad-name", "--by", "Grace Xu", *ws_args(workspace),
                 ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: bad-name cannot be approved: uses 'customr', which the context does not have\n"
    )


def test_a_written_template_is_approved_after_rendering_for_the_customers(
    workspace: Path,
) -> None:
    add_template(workspace, "fine", ENGLISH)
    result = run("templates", "approve", "fine", "--by", "Grace Xu", *ws_args(workspace))
    assert result.stdout.startswith("Approved fine (")
    assert result.stdout.endswith(f") by Grace Xu on {today()}\n")


# --- the language of the text ----------------------------------------------------------


def tagged(workspace: Path, template_id: str, language: str, body: str) -> Path:
    text = GOOD.format(id=template_id, body=body).replace("language: en", f"language: {language}")
    return write(workspace / "templates" / "urgency" / f"{template_id}.j2", text)


def test_a_template_tagged_ru_with_an_english_body_is_a_lint_error(workspace: Path) -> None:
    tagged(workspace, "ru-english", "ru", ENGLISH)
    tagged(workspace, "ru-russian", "ru", RUSSIAN)
    tagged(workspace, "ru-short", "ru", "See you soon.")  # too short to judge
    tagged(workspace, "sv-english", "sv", ENGLISH)  # any language lingua knows
    result = run("templates", "lint", "--no-render", *ws_args(workspace), ok=False)
    assert result.exit_code == 2
    language = [line for line in result.stdout.splitlines() if line.endswith("[language]")]
    assert language == [
        "ru-english: error: tagged 'ru', but its text is in 'en' [language]",
        "sv-english: error: tagged 'sv', but its text is in 'en' [language]",
    ]
    refused = run("templates", "approve", "ru-english", "--by", "Grace Xu", "--no-render",
                  *ws_args(workspace), ok=False)  # fmt: skip
    assert refused.stderr == (
        "Error: ru-english cannot be approved: tagged 'ru', but its text is in 'en'\n"
    )


def test_the_language_check_strips_jinja_and_passes_the_shipped_library() -> None:
    from followup.drafting.lint import lint_template

    library = load_library(None)
    issues = [i for t in library.templates.values() for i in lint_template(t, None, [])]
    assert [i for i in issues if i.code in {"language", "skeleton"}] == []


def test_every_language_the_identifier_knows_has_its_scripts() -> None:
    from followup import langid

    assert set(langid.SCRIPTS) == langid.supported()


# --- approval history -------------------------------------------------------------------


def test_approve_revoke_approve_are_all_kept_with_who_when_hash_and_why(
    workspace: Path,
) -> None:
    path = add_template(workspace, "mine", ENGLISH)
    ws = ws_args(workspace)
    run("templates", "approve", "mine", "--by", "Grace Xu", "--no-render", *ws)
    revoked = run("templates", "revoke", "mine", "--by", "Amy Zhao", "--reason",
                  "the offer has ended", *ws)  # fmt: skip
    digest = sha(path)
    assert revoked.stdout == f"Revoked mine ({digest[:12]}) by Amy Zhao on {today()}\n"
    assert load_library(workspace).status(load_library(workspace).templates["mine"]) == (
        "unapproved"
    )
    run("templates", "approve", "mine", "--by", "Grace Xu", "--no-render", *ws)

    lock = json.loads((workspace / "templates" / "approvals.json").read_text())
    assert lock["version"] == 2
    kept = [(e["action"], e["by"], e["on"], e["sha256"], e.get("reason")) for e in lock["history"]]
    assert kept == [
        ("approve", "Grace Xu", today(), digest, None),
        ("revoke", "Amy Zhao", today(), digest, "the offer has ended"),
        ("approve", "Grace Xu", today(), digest, None),
    ]
    assert all(dt.datetime.fromisoformat(e["at"]).utcoffset() is not None for e in lock["history"])
    shown = run("templates", "history", "mine", *ws).stdout
    assert shown == (
        "mine: 3 approvals and revocations, oldest first\n"
        f"{today()}  approved  {digest[:12]}  workspace  Grace Xu\n"
        f"{today()}  revoked   {digest[:12]}  workspace  Amy Zhao: the offer has ended\n"
        f"{today()}  approved  {digest[:12]}  workspace  Grace Xu\n"
    )


def test_the_history_of_a_shipped_template_starts_with_its_shipped_approval(
    workspace: Path,
) -> None:
    ws = ws_args(workspace)
    run("templates", "revoke", "thanks-email-en", "--by", "Grace Xu", "--reason", "too long",
        *ws)  # fmt: skip
    shipped = load_library(None)
    approval = shipped.approvals["shipped"]["thanks-email-en"]
    lines = run("templates", "history", "thanks-email-en", *ws).stdout.splitlines()
    assert lines == [
        "thanks-email-en: 2 approvals and revocations, oldest first",
        f"{approval.approved_on}  approved  {approval.sha256[:12]}  shipped    "
        f"{approval.approved_by}",
        f"{today()}  revoked   {approval.sha256[:12]}  workspace  Grace Xu: too long",
    ]
    assert shipped.status(shipped.templates["thanks-email-en"]) == "approved"


def test_revoke_says_why_and_what(workspace: Path) -> None:
    ws = ws_args(workspace)
    result = run("templates", "revoke", "thanks-email-en", "--by", "Grace Xu", *ws, ok=False)
    assert result.exit_code == 2 and "Error: Missing option '--reason'." in result.stderr
    add_template(workspace, "never-approved", ENGLISH)
    result = run("templates", "revoke", "never-approved", "--by", "Grace Xu", "--reason", "x",
                 *ws, ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: never-approved is not approved: there is no approval to revoke\n"
    )


def test_by_defaults_to_the_configured_rep_of_the_current_user(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_template(workspace, "mine", ENGLISH)
    ws = ws_args(workspace)
    result = run("templates", "approve", "mine", "--no-render", *ws, ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --by: say who approves (a name), or set your rep once: FOLLOWUP_REP, "
        "or [user] rep in followup.toml\n"
    )
    toml = workspace / "followup.toml"
    toml.write_text(toml.read_text() + '\n[user]\nrep = "Amy Zhao"\n')
    assert run("templates", "approve", "mine", "--no-render", *ws).stdout.endswith(
        f"by Amy Zhao on {today()}\n"
    )
    monkeypatch.setenv("FOLLOWUP_REP", "陈莉")  # an alias in company.yaml reps: its rep's name
    assert run("templates", "revoke", "mine", "--reason", "checking", *ws).stdout.endswith(
        f"by Lily Chen on {today()}\n"
    )
    assert run("templates", "approve", "mine", "--no-render", "--by", "Grace Xu", *ws).stdout.endswith(
        f"by Grace Xu on {today()}\n"
    )  # fmt: skip


def test_an_approvals_file_of_the_first_shape_is_read_and_kept(workspace: Path) -> None:
    path = add_template(workspace, "mine", ENGLISH)
    old = {
        "version": 1,
        "templates": {
            "mine": {"sha256": sha(path), "approved_by": "Grace Xu", "approved_on": "2026-11-02",
                     "content": path.read_text()},
        },
        "revoked": {"thanks-email-en": {"revoked_by": "Amy Zhao", "revoked_on": "2026-11-05"}},
    }  # fmt: skip
    write(workspace / "templates" / "approvals.json", json.dumps(old))
    library = load_library(workspace)
    assert library.status(library.templates["mine"]) == "approved"
    assert library.status(library.templates["thanks-email-en"]) == "unapproved"
    ws = ws_args(workspace)
    assert run("templates", "history", "mine", *ws).stdout == (
        "mine: 1 approvals and revocations, oldest first\n"
        f"2026-11-02  approved  {sha(path)[:12]}  workspace  Grace Xu\n"
    )
    run("templates", "approve", "thanks-email-en", "--by", "Grace Xu", "--no-render", *ws)
    lock = json.loads((workspace / "templates" / "approvals.json").read_text())
    assert lock["version"] == 2
    assert [(e["template"], e["action"], e["by"], e["on"]) for e in lock["history"]] == [
        ("mine", "approve", "Grace Xu", "2026-11-02"),
        ("thanks-email-en", "revoke", "Amy Zhao", "2026-11-05"),
        ("thanks-email-en", "approve", "Grace Xu", today()),
    ]


def test_an_approvals_file_from_a_newer_followup_is_refused(workspace: Path) -> None:
    write(workspace / "templates" / "approvals.json", json.dumps({"version": 9}))
    result = run("templates", "list", *ws_args(workspace), ok=False)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "approvals.json: written by a newer followup (version 9, this one knows 2): "
        "upgrade followup\n"
    )


# --- overriding a shipped template ------------------------------------------------------


def test_copy_carries_the_approval_while_the_bytes_are_identical(workspace: Path) -> None:
    ws = ws_args(workspace)
    shipped = shipped_root() / "urgency" / "urgency-email-de.j2"
    approval = load_library(None).approvals["shipped"]["urgency-email-de"]
    result = run("templates", "copy", "urgency-email-de", *ws)
    copy = workspace / "templates" / "urgency" / "urgency-email-de.j2"
    assert copy.read_bytes() == shipped.read_bytes()
    assert result.stdout.endswith(
        f"urgency-email-de.j2: approved ({approval.approved_by} on {approval.approved_on}, "
        "carried over)\n"
    )
    library = load_library(workspace)
    item = library.templates["urgency-email-de"]
    assert (item.source, library.status(item)) == ("workspace", "approved")
    assert run("templates", "diff", "urgency-email-de", *ws).stdout == (
        "urgency-email-de is the same as the shipped approved text\n"
    )
    assert run("templates", "history", "urgency-email-de", *ws).stdout.splitlines()[-1] == (
        f"{approval.approved_on}  approved  {approval.sha256[:12]}  workspace  "
        f"{approval.approved_by}: carried over from the shipped library (templates copy)"
    )
    again = run("templates", "copy", "urgency-email-de", *ws, ok=False)
    assert again.exit_code == 2 and again.stderr.endswith(
        "urgency-email-de.j2 exists already: `followup templates diff urgency-email-de` "
        "shows how it differs from the shipped text\n"
    )

    copy.write_text(copy.read_text().replace("Guten Tag", "Hallo"))
    library = load_library(workspace)
    assert library.status(library.templates["urgency-email-de"]) == "modified"
    diff = run("templates", "diff", "urgency-email-de", *ws).stdout
    assert diff.startswith(
        f"--- urgency-email-de (shipped, approved by {approval.approved_by} on "
        f"{approval.approved_on})\n+++ urgency-email-de (workspace)\n"
    )
    assert "\n-{% if customer.greeting_name %}Guten Tag" in diff
    assert "\n+{% if customer.greeting_name %}Hallo" in diff
    lint = run("templates", "lint", "--no-render", *ws, ok=False).stdout
    assert (
        "library: error: no approved urgency email template in 'de': urgency-email-de in the "
        "workspace is modified and hides the shipped approved one [coverage]\n"
    ) in lint


def test_copy_of_a_shipped_file_that_is_not_its_approved_text_is_unapproved(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library_copy = tmp_path / "shipped"
    shutil.copytree(shipped_root(), library_copy)
    changed = library_copy / "urgency" / "urgency-email-de.j2"
    changed.write_text(changed.read_text().replace("Guten Tag", "Hallo"))
    monkeypatch.setattr("followup.drafting.library.shipped_root", lambda: library_copy)
    result = run("templates", "copy", "urgency-email-de", *ws_args(workspace))
    assert result.stdout.endswith("urgency-email-de.j2: unapproved (approve it to draft with it)\n")
    library = load_library(workspace)
    assert library.status(library.templates["urgency-email-de"]) == "unapproved"
    assert read_log(workspace / "templates").history == []


def test_copy_only_copies_shipped_templates(workspace: Path) -> None:
    add_template(workspace, "mine", ENGLISH)
    result = run("templates", "copy", "mine", *ws_args(workspace), ok=False)
    assert result.exit_code == 2
    assert result.stderr == "Error: mine is not a shipped template: there is nothing to copy\n"


def test_lint_names_the_workspace_copy_that_hides_the_shipped_one(workspace: Path) -> None:
    ws = ws_args(workspace)
    shipped = (shipped_root() / "urgency" / "urgency-email-en.j2").read_text()
    write(workspace / "templates" / "urgency" / "urgency-email-en.j2",
          shipped.replace("Dear ", "Hello "))  # fmt: skip
    result = run("templates", "lint", "--no-render", *ws, ok=False)
    assert result.exit_code == 2
    assert (
        "library: error: no approved urgency email template in 'en': urgency-email-en in the "
        "workspace is unapproved and hides the shipped approved one [coverage]\n"
    ) in result.stdout
    assert (
        "urgency-email-en: warning: urgency-email-en in the workspace is unapproved and hides "
        "the shipped approved one: approve this copy, or delete it to draft with the shipped "
        "one (`followup templates diff` shows how they differ) [hides_shipped]\n"
    ) in result.stdout
    assert result.stdout.endswith("138 templates: 1 errors, 1 warnings\n")
    assert run("templates", "diff", "urgency-email-en", *ws).stdout.startswith(
        "--- urgency-email-en (shipped, approved by"
    )


# --- finding templates and their drafts -------------------------------------------------


def ids(listing: str) -> list[str]:
    return [line.split()[0] for line in listing.splitlines()[2:]]


def test_list_filters_by_campaign_language_and_status(workspace: Path) -> None:
    ws = ws_args(workspace)
    out = run("templates", "list", "--campaign", "urgency", "--lang", "de", *ws).stdout
    assert ids(out) == ["urgency-email-de", "urgency-email-de-t2", "urgency-whatsapp-de"]
    tagged(workspace, "urgency-email-pt-br", "pt-BR", ENGLISH)
    out = run("templates", "list", "--campaign", "urgency", "--lang", "pt", *ws).stdout
    assert ids(out) == [
        "urgency-email-pt", "urgency-email-pt-br", "urgency-email-pt-t2", "urgency-whatsapp-pt"
    ]  # fmt: skip
    out = run("templates", "list", "--status", "unapproved", *ws).stdout
    assert ids(out) == ["urgency-email-pt-br"]
    write(workspace / "templates" / "urgency" / "broken.j2", "no header\n")
    out = run("templates", "list", "--status", "unapproved", "--status", "invalid", *ws).stdout
    assert ids(out)[:2] == ["broken", "urgency-email-pt-br"]
    assert run("templates", "list", "--campaign", "thanks", "--lang", "ru", *ws).stdout == (
        "No template matches: `followup templates list` shows them all\n"
    )


def test_drafts_lists_what_a_template_produced_and_from_which_version(
    workspace: Path,
) -> None:
    ws = ws_args(workspace)
    run("batch", "--campaign", "urgency", *ws, *AS_OF, "--out", str(workspace / "a"))
    index = [json.loads(line) for line in (workspace / "a" / "drafts.jsonl").open()]
    made = sorted(r["customer_id"] for r in index if r["template_id"] == "urgency-email-en")
    assert made
    out = run("templates", "drafts", "urgency-email-en", *ws).stdout.splitlines()
    approved = load_library(None).approvals["shipped"]["urgency-email-en"].sha256
    assert out[0] == f"urgency-email-en: {len(made)} drafts ({len(made)} approved)"
    assert out[1].split() == ["date", "customer", "version", "sha256", "status", "file"]
    assert [line.split()[1] for line in out[3:]] == made
    assert out[3].split()[:5] == ["2026-11-22", made[0], "approved", approved[:8], "drafted"]

    # a new approved version: the earlier drafts say so
    run("templates", "copy", "urgency-email-en", *ws)
    copy = workspace / "templates" / "urgency" / "urgency-email-en.j2"
    copy.write_text(copy.read_text().replace("Dear ", "Hello "))
    run("templates", "approve", "urgency-email-en", "--by", "Grace Xu", *ws)
    run("batch", "--campaign", "urgency", *ws, *AS_OF, "--out", str(workspace / "b"),
        "--limit", "3", "--lang", "en", "--ignore-cooldown")  # fmt: skip
    out = run("templates", "drafts", "urgency-email-en", *ws).stdout.splitlines()
    versions = {line.split()[2] for line in out[3:]}
    assert versions == {"approved", "earlier"}
    assert out[0].startswith("urgency-email-en: ") and "approved, " in out[0]
    assert f"{len(made)} earlier)" in out[0]


def test_drafts_reads_an_outbox_index_when_there_is_no_history(tmp_path: Path) -> None:
    run("batch", "--campaign", "thanks", "--sample", *AS_OF, "--out", "out", "--limit", "4")
    index = [json.loads(line) for line in (tmp_path / "out" / "drafts.jsonl").open()]
    by_template = {r["template_id"] for r in index}
    template_id = sorted(by_template)[0]
    out = run("templates", "drafts", template_id, "--sample", "--outbox", "out").stdout
    count = sum(r["template_id"] == template_id for r in index)
    assert out.splitlines()[0] == f"{template_id}: {count} drafts ({count} approved)"
    assert run("templates", "drafts", template_id, "--sample").stdout == (
        f"{template_id} has produced no drafts on record\n"
    )
    result = run("templates", "drafts", "nope", "--sample", ok=False)
    assert result.exit_code == 2
    assert result.stderr == "Error: no template 'nope': `followup templates list` shows them\n"
