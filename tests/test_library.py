"""The template library: headers, approval, status, lint, selection, rendering safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followup.drafting.library import language_candidates, load_library, parse_template, select
from tests.conftest import run, write

AS_OF = ("--as-of", "2026-11-22")

GOOD = """---
id: {id}
campaign: urgency
channel: email
language: en
segments: []
loss_reasons: []
subject: "Year-end dates for {{{{ customer.company }}}}"
description: test template
---
Dear {{{{ customer.contact_name or customer.company }}}},
{body}
{{{{ sender.signature }}}}
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", str(tmp_path / "ws"), "--sample")
    return tmp_path / "ws"


def add_template(workspace: Path, template_id: str, body: str = "See you soon.") -> Path:
    path = workspace / "templates" / "urgency" / f"{template_id}.j2"
    return write(path, GOOD.format(id=template_id, body=body))


def test_every_shipped_template_is_valid_and_approved() -> None:
    library = load_library(None)
    assert library.templates, "the shipped library is empty"
    bad = {
        t.id: library.status(t)
        for t in library.templates.values()
        if library.status(t) != "approved"
    }
    assert bad == {}, "run scripts/approve_shipped.py after review"


def test_shipped_library_covers_every_campaign_channel_reason_and_language() -> None:
    from followup.drafting.lint import coverage_gaps

    assert [issue.message for issue in coverage_gaps(load_library(None))] == []


def test_approve_then_edit_makes_it_modified_and_unusable(workspace: Path) -> None:
    path = add_template(workspace, "my-urgency-email-en")
    ws = ("--workspace", str(workspace))
    assert "unapproved" in run("templates", "list", *ws).stdout
    result = run("templates", "approve", "my-urgency-email-en", "--by", "Grace Xu", *ws)
    assert result.stdout.startswith("Approved my-urgency-email-en (")
    lock = json.loads((workspace / "templates" / "approvals.json").read_text())
    entry = lock["templates"]["my-urgency-email-en"]
    assert entry["approved_by"] == "Grace Xu" and entry["content"] == path.read_text()
    library = load_library(workspace)
    assert library.status(library.templates["my-urgency-email-en"]) == "approved"

    path.write_text(path.read_text().replace("See you soon.", "We guarantee the lowest price."))
    listing = run("templates", "list", *ws).stdout
    assert any(line.startswith("my-urgency-email-en") and line.rstrip().endswith("modified")
               for line in listing.splitlines())  # fmt: skip
    library = load_library(workspace)
    assert library.templates["my-urgency-email-en"] not in library.usable()
    diff = run("templates", "diff", "my-urgency-email-en", *ws).stdout
    assert "-See you soon." in diff and "+We guarantee the lowest price." in diff


def test_revoking_a_shipped_template_applies_to_this_workspace(workspace: Path) -> None:
    ws = ("--workspace", str(workspace))
    run("templates", "revoke", "urgency-email-en", "--by", "Grace Xu", "--reason", "test", *ws)
    library = load_library(workspace)
    assert library.status(library.templates["urgency-email-en"]) == "unapproved"
    shipped = load_library(None)
    assert shipped.status(shipped.templates["urgency-email-en"]) == "approved"
    run("templates", "approve", "urgency-email-en", "--by", "Grace Xu", *ws)
    assert load_library(workspace).status(library.templates["urgency-email-en"]) == "approved"


def test_a_broken_file_is_listed_as_invalid_with_its_reason(workspace: Path) -> None:
    write(
        workspace / "templates" / "urgency" / "broken.j2",
        "---\nid: broken\ncampaign: spam\n---\nhi\n",
    )
    listing = run("templates", "list", "--workspace", str(workspace)).stdout
    line = next(line for line in listing.splitlines() if line.startswith("broken"))
    assert line.split()[-1] == "invalid"
    assert (
        "broken.j2): header campaign: Input should be 'urgency', 'reactivation' or 'thanks'"
        in listing
    )


@pytest.mark.parametrize(
    ("header_change", "problem"),
    [
        (("channel: email", "channel: fax"), "header channel: Input should be 'email' or 'whatsapp'"),
        (("loss_reasons: []", "loss_reasons: [weather]"), "header loss_reasons: unknown reason 'weather'"),
        (('subject: "Year-end dates for {{ customer.company }}"\n', ""), "header (top level): an email template needs a subject"),
        (("id: t1", "id: other"), "header id 'other' differs from the file name 't1'"),
        (("See you soon.", "{% if %}"), "t1 line 2: Expected an expression, got 'end of statement block'"),
    ],
)  # fmt: skip
def test_invalid_templates_say_why(
    tmp_path: Path, header_change: tuple[str, str], problem: str
) -> None:
    text = GOOD.format(id="t1", body="See you soon.").replace(*header_change)
    item = parse_template(write(tmp_path / "t1.j2", text), "workspace")
    assert item.problem is not None and item.problem.startswith(problem)


def test_lint_catches_unknown_names_sandbox_escapes_literal_facts_and_gaps(workspace: Path) -> None:
    add_template(workspace, "bad-names", "Hello {{ customr.company }} and {{ ''.__class__ }}.")
    add_template(workspace, "bad-fact", "We are ISO 9001 certified.")
    result = run("templates", "lint", "--workspace", str(workspace), ok=False)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: the library has errors (listed above): fix them, then lint again\n"
    )
    out = result.stdout
    assert "bad-names: error: uses 'customr', which the context does not have [unknown_name]" in out
    assert "bad-names: error: reaches for '__class__': not allowed in a template [sandbox]" in out
    assert "bad-fact: warning: a number typed into the text" in out
    run("templates", "revoke", "thanks-whatsapp-de", "--by", "Grace Xu", "--reason", "test",
        "--workspace", str(workspace))  # fmt: skip
    out = run("templates", "lint", "--workspace", str(workspace), ok=False).stdout
    assert "library: error: no approved thanks whatsapp template in 'de' [coverage]" in out


def test_sandbox_refuses_attribute_escapes_at_render_time(workspace: Path) -> None:
    add_template(workspace, "escape", "{{ customer.company.__class__.__mro__ }}")
    result = run(
        "templates",
        "preview",
        "escape",
        "--customer",
        "C1001",
        "--workspace",
        str(workspace),
        *AS_OF,
        ok=False,
    )
    assert result.exit_code == 2
    assert "escape: not allowed in a template" in result.stderr


def test_customer_text_is_data_never_rendered(workspace: Path) -> None:
    add_template(workspace, "notes", "Your note: {{ customer.notes }}")
    result = run(
        "templates",
        "preview",
        "notes",
        "--customer",
        "C1135",
        "--workspace",
        str(workspace),
        *AS_OF,
    )
    assert "{{ 7*7 }}" in result.stdout and "49" not in result.stdout
    assert "placeholder" in result.stderr  # the check still flags the braces for a human


def test_language_fallback_order() -> None:
    assert language_candidates("pt-BR") == ["pt-BR", "pt", "en"]
    assert language_candidates("de") == ["de", "en"]
    assert language_candidates("en") == ["en"]


def test_selection_prefers_reason_then_segment_then_id() -> None:
    library = load_library(None)
    usable = library.usable()
    choice = select(usable, campaign="reactivation", channel="email", language="pt-BR",
                    reason="quality", segments=("at_risk", "general_winback"))  # fmt: skip
    assert choice is not None and choice.template.id == "reactivation-quality-email-pt"
    assert not choice.language_fallback
    choice = select(usable, campaign="thanks", channel="whatsapp", language="ja",
                    reason=None, segments=("champions", "important_value"))  # fmt: skip
    assert (
        choice is not None
        and choice.template.id == "thanks-whatsapp-en"
        and choice.language_fallback
    )


def test_new_makes_a_skeleton_that_lints_but_is_unapproved(workspace: Path) -> None:
    ws = ("--workspace", str(workspace))
    result = run(
        "templates", "new", "acme-thanks", "--campaign", "thanks", "--channel", "whatsapp", *ws
    )
    assert "Wrote" in result.stdout
    library = load_library(workspace)
    assert library.status(library.templates["acme-thanks"]) == "unapproved"
    again = run("templates", "new", "acme-thanks", "--campaign", "thanks", *ws, ok=False)
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_the_sample_is_read_only() -> None:
    result = run("templates", "approve", "urgency-email-en", "--by", "me", "--sample", ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the bundled sample is read-only: `followup init DIR --sample` makes a copy to edit\n"
    )


def test_lint_checks_that_regions_and_blocks_match(workspace: Path) -> None:
    regions = "loss_reasons: []\nregions: [subject, opening, closing]"
    missing = GOOD.format(id="no-closing", body="{% block opening %}Hello.{% endblock %}")
    write(
        workspace / "templates" / "urgency" / "no-closing.j2",
        missing.replace("loss_reasons: []", regions),
    )
    add_template(workspace, "odd-block", "{% block middle %}Hello.{% endblock %}")
    add_template(workspace, "unlisted", "{% block opening %}Hello.{% endblock %}")
    out = run("templates", "lint", "--workspace", str(workspace), "--no-render", ok=False).stdout
    assert (
        "no-closing: error: regions lists 'closing', but the body has no {% block closing %} "
        "[region]" in out
    )
    assert "odd-block: error: block 'middle' is not a region (opening, answer, closing)" in out
    assert (
        "unlisted: warning: block 'opening' is not in regions: the LLM keeps its approved "
        "wording [region]" in out
    )
    listed = run("templates", "list", "--workspace", str(workspace)).stdout
    assert "regions" in listed.splitlines()[0]
    row = next(line for line in listed.splitlines() if line.startswith("no-closing "))
    assert " subject opening closing " in row
    assert (
        next(line for line in listed.splitlines() if line.startswith("unlisted ")).split()[5] == "-"
    )
