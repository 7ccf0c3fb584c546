"""Render the reference docs from the tables in code (one source of truth).

    python scripts/render_docs.py          # rewrite docs/*.md
    python scripts/render_docs.py --check  # exit 1 if a doc is out of date

tests/test_docs.py runs the check, so a table changed in code fails CI until the
docs are rendered again.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

import click

from followup.analysis.segment_rules import __doc__ as RULES_DOC
from followup.analysis.segments import CLASSIC_GRID, CLASSIC_LABELS, CN8_TABLE, cn8_code
from followup.campaigns import CAMPAIGNS, CHANNELS
from followup.cli import cli
from followup.cli.errors import MEANINGS
from followup.data.columns import TABLES
from followup.data.facts import levers
from followup.data.orphans import SHOWN
from followup.data.reasons import ANGLES, KEYWORDS, LOSS_REASONS
from followup.drafting.context import context_fields
from followup.drafting.targeting import CAMPAIGN_RULES
from followup.workspace import DATA_SUFFIXES

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "<!-- Rendered by scripts/render_docs.py from the code: edit the code, not this file. -->\n"
)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    return "\n".join([_row(headers), _row(["---"] * len(headers)), *map(_row, rows)]) + "\n"


def _files_paragraph() -> str:
    suffixes = ", ".join(f"`{s}`" for s in DATA_SUFFIXES if s != ".xls")
    return (
        f"In a workspace, each table is `data/<table>` with any of the suffixes {suffixes} "
        "(the name's case ignored): `data/customers.xlsx`, `data/orders.csv`; an old `.xls` "
        "workbook is reported, to be saved as `.xlsx`. Only `orders` is required. Two files "
        "for one table (`customers.csv` and `customers.xlsx`) stop the command with a message "
        "naming both; keep one, or pass `--customers FILE`. Explicit `--orders`, "
        "`--customers` and `--losses` files win over `data/`.\n"
    )


def _notes_paragraph() -> str:
    return (
        "Besides errors, a command prints notes (`Note: ...` on stderr) on what it read "
        "and did not expect: a table with a header and no data rows (an empty result, not "
        "an error), amounts converted to the base currency, loss reasons followup does not "
        "know, and customer ids of the orders or losses that the customers file does not "
        "list. Such order lines still count, for a customer with no name; the note names "
        f"the first {SHOWN} ids with the row of each and, when one is a listed id written "
        'another way, which one: `"123" (row 5; "00123" there, zero-padded)` (Excel '
        "drops leading zeros), leading zeros trimmed, or other spaces, full-width "
        "characters or case.\n"
    )


def data_md() -> str:
    parts = [HEADER, "# Input data\n",
             "Headers match ignoring case, spaces, `_`, `-`, `.` and a bracketed suffix "
             "(`Amount (USD)`). Anything else maps through `--columns map.yaml`:\n",
             "```yaml\norders:\n  order_date: Fecha de pedido\n  amount: Importe\n"
             "customers:\n  customer_id: Kundennummer\n```\n",
             "## Files\n", _files_paragraph(), "## Notes\n", _notes_paragraph()]  # fmt: skip
    for table, fields in TABLES.items():
        rows = [[f"`{f.name}`", "yes" if f.required else "", f.description,
                 ", ".join(f"`{a}`" for a in f.aliases)] for f in fields]  # fmt: skip
        parts.append(f"## {table}\n")
        parts.append(_table(["field", "required", "what", "also recognised"], rows))
    rows = [[f"`{rid}`", r.label, r.label_zh, ", ".join(f"`{a}`" for a in r.aliases),
             ", ".join(f"`{k}`" for k in KEYWORDS.get(rid, ()))]
            for rid, r in LOSS_REASONS.items()]  # fmt: skip
    parts.append("## Loss reasons\n")
    parts.append(
        "A reason is read, in this order, by the team's own map (`[reasons]` in "
        'followup.toml: `"交期太长" = "delivery"`), by its id, label or a spelling below, '
        "and, in a free-text reason, by the first keyword it contains (Chinese as written, "
        "English as whole words: `交期太长` and `container rolled over twice` are delivery). "
        "`followup losses` notes how each free-text reason was read; others are kept as "
        "written and reported as unknown (the `other` angle drafts them).\n"
    )
    parts.append(
        _table(["reason", "label", "中文", "also recognised", "keywords in free text"], rows)
    )
    parts.append("## Angles: what within a reason the buyer named\n")
    parts.append(
        "A reactivation answers what the buyer said, not only the reason's category: the loss "
        "`detail` picks the angle by the first word below it contains (as keywords are "
        "matched), and a detail with none takes the reason's first (generic) angle. Templates "
        'branch on `angle` (`{% if angle == "moq" %}`); company.yaml\'s `changes` may list '
        "statements for one angle (`delivery.reliability:`), which then replace the reason's "
        "list for those buyers.\n"
    )
    angle_rows = [[f"`{reason}`", f"`{name}`" + (" (generic)" if i == 0 else ""),
                   ", ".join(f"`{w}`" for w in words)]
                  for reason, angles in ANGLES.items()
                  for i, (name, words) in enumerate(angles.items())]  # fmt: skip
    parts.append(_table(["reason", "angle", "words in the detail"], angle_rows))
    return "\n".join(parts)


def settings_md() -> str:
    from dataclasses import MISSING, fields

    from followup.settings import SETTINGS_FILE, Settings, describe_range, limits

    parts = [HEADER, f"# Settings: `{SETTINGS_FILE}`\n",
             "Precedence: `followup.toml` < environment (`FOLLOWUP_MODEL`, `FOLLOWUP_BASE_URL`, "
             "`FOLLOWUP_REP`, `FOLLOWUP_API_KEY`; `OPENAI_API_KEY` only for OpenAI's own "
             "endpoint) < command-line options. Unknown keys are errors. Keys never live in "
             "this file. Every number must be finite and within its allowed range (`nan` "
             "and `inf` are refused)."
             "\n"]  # fmt: skip
    for section in fields(Settings):
        if section.name == "reasons":
            parts.append("## `[reasons]`\n")
            parts.append(
                "Loss reasons as your team types them, each mapped to the reason it means "
                f"(one of {', '.join(f'`{r}`' for r in LOSS_REASONS)}): "
                '`"交期太长" = "delivery"`. Read before the shipped spellings and the keywords '
                "followup looks for inside a free-text reason ([docs/data.md](data.md)).\n"
            )
            continue
        table = type(section.default_factory())  # type: ignore[misc]
        parts.append(f"## `[{section.name}]`\n")
        parts.append(" ".join((table.__doc__ or "").split()) + "\n")
        rows = []
        for f in fields(table):
            default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
            shown = "" if default is None or default == {} else f"`{default}`"
            bounds = limits(table, f.name)
            allowed = describe_range(bounds) if bounds is not None else ""
            rows.append([f"`{f.name}`", shown, allowed, f.metadata.get("doc", "")])
        parts.append(_table(["key", "default", "allowed", "what"], rows))
    return "\n".join(parts)


def segments_md() -> str:
    grid = [[f"R{r}", *(f"`{s}`" for s in row)] for r, row in CLASSIC_GRID.items()]
    labels = [[f"`{s}`", zh, what] for s, (what, zh) in CLASSIC_LABELS.items()]
    cn8 = [[f"`{seg}`", zh, cn8_code(cell)] for cell, (seg, zh) in CN8_TABLE.items()]
    return "\n".join([
        HEADER, "# Segment schemes\n",
        "Customers with no purchase order are `prospect` in every scheme.\n",
        "## classic\n",
        "`fm = (f_score + m_score + 1) // 2`; the cell at (R score, FM) is the segment.\n",
        _table(["R \\ FM", "1", "2", "3", "4", "5"], grid),
        _table(["segment", "中文", "who"], labels),
        "## cn8\n",
        "R high: recency_days below the mean of scored customers; F high: frequency above "
        "the mean; M high: monetary above the mean (equal to the mean is low). "
        "`--thresholds r=90,f=3,m=5000` uses fixed cuts instead.\n",
        _table(["segment", "中文", "R F M"], cn8),
        "## Rules file\n", "`followup segment --rules rules.yaml`:\n",
        "```yaml" + (RULES_DOC or "").split("```yaml", 1)[1].split("```", 1)[0] + "```\n",
    ])  # fmt: skip


def cli_md() -> str:
    parts = [HEADER, "# Command reference\n", "## Exit codes\n",
             _table(["code", "meaning"], [[str(c), m] for c, m in MEANINGS.items()])]  # fmt: skip
    ctx = click.Context(cli, info_name="followup", terminal_width=80, max_content_width=80)
    parts.append("## followup\n")
    parts.append("```\n" + cli.get_help(ctx) + "\n```\n")
    parts += _command_help(cli, ctx, "followup")
    return "\n".join(parts)


def _command_help(group: click.Group, ctx: click.Context, prefix: str) -> list[str]:
    parts = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        sub = click.Context(command, info_name=f"{prefix} {name}", parent=ctx, terminal_width=80)
        parts.append(f"## {prefix} {name}\n")
        parts.append("```\n" + command.get_help(sub) + "\n```\n")
        if isinstance(command, click.Group):
            parts += _command_help(command, sub, f"{prefix} {name}")
    return parts


def campaigns_md() -> str:
    parts = [
        HEADER,
        "# Campaigns\n",
        "A customer is targeted when any rule of the campaign matches; the first one that "
        "matches is what `followup batch --explain` prints. `--segment` replaces the rules.\n",
    ]
    for campaign, rules in ((name, CAMPAIGN_RULES[name]) for name in CAMPAIGNS):
        parts.append(f"## {campaign}\n")
        parts.append(f"{CAMPAIGNS[campaign].purpose}.\n")
        rows = [
            [
                f"`{r.name}`",
                r.why,
                ", ".join(f"`{s}`" for s in sorted(r.classic)),
                ", ".join(f"`{s}`" for s in sorted(r.cn8)),
            ]
            for r in rules
        ]
        parts.append(_table(["rule", "who", "classic segments", "cn8 segments"], rows))
    parts.append("## The dates an urgency draft gives\n")
    parts.append(
        "Each is a lever still open on the day the drafts are made (`followup.data.facts."
        "levers`), soonest first:\n"
    )
    doc = inspect.getdoc(levers) or ""
    parts.append("\n".join(line for line in doc.splitlines() if line.startswith(("-", " "))) + "\n")
    parts.append("## Checks on every draft\n")
    parts.append(
        _table(
            ["limit", "value"],
            [
                *(
                    [f"{c.name} subject", f"present, at most {c.subject_max} characters"]
                    for c in CHANNELS.values()
                    if c.subject_max is not None
                ),
                *(
                    [f"{c.name} body", f"at most {c.body_max} characters"]
                    for c in CHANNELS.values()
                ),
                ["names", "the customer's (contact or company) and the sender's name appear"],
                ["placeholders", "no `{{`, `{%`, `[Name]`, `[Your Name]`, `<name>`, `XXX`, `TBD`"],
                ["forbidden phrases", "none of company.yaml `forbidden_claims`"],
            ],
        )
    )
    return "\n".join(parts)


def templates_md() -> str:
    """docs/templates.md is hand-written; only its context table is rendered."""
    path = ROOT / "docs" / "templates.md"
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- BEGIN context", "<!-- END context -->"
    head, rest = text.split(begin, 1)
    marker_line, _, _ = rest.partition("\n")
    tail = rest.split(end, 1)[1]
    rows = [[f"`{name}`", kind, what] for name, kind, what in context_fields()]
    table = _table(["name", "kind", "what it holds"], rows)
    return head + begin + marker_line + "\n" + table + end + tail


def plan_md() -> str:
    """The reorder plan's rules, from the module that implements them."""
    from followup.reorder import plan

    title, _, body = (plan.__doc__ or "").strip().partition("\n")
    usage = (
        "\n## Use\n\n```bash\nfollowup plan --year 2027 --growth 0.08 --output plan.xlsx "
        "--ics plan.ics\nfollowup batch --campaign thanks --from-plan --due-within 30d\n"
        "followup plan --target-new 500000 --avg-order 10000 --conversion 0.10 "
        "--workdays 250\n```\n"
    )
    return f"{HEADER}\n# Reorder plan\n\n{title}\n{body}\n{usage}"


DOCS: dict[str, Callable[[], str]] = {
    "docs/plan.md": plan_md,
    "docs/data.md": data_md,
    "docs/settings.md": settings_md,
    "docs/segments.md": segments_md,
    "docs/campaigns.md": campaigns_md,
    "docs/templates.md": templates_md,
    "docs/cli.md": cli_md,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a doc is out of date")
    args = parser.parse_args()
    stale = []
    for relative, render in DOCS.items():
        path = ROOT / relative
        text = render()
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(relative)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(
            f"out of date: {', '.join(stale)}: run python scripts/render_docs.py", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
