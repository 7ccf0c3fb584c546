"""Render templates against sample customers, with their check findings (for template writers).

    python scripts/preview_templates.py urgency-email-en             # one template
    python scripts/preview_templates.py 'reactivation-*-de' --customers C1001,C1135

Renders with --allow-unapproved semantics; the as-of date is 2026-11-22. The real
commands are `followup templates preview ID --customer C` and `followup templates lint`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import sys

from followup.data.dataset import Sources
from followup.drafting.engine import TemplateEngine
from followup.drafting.workbench import Workbench, prepare, request
from followup.workspace import resolve

AS_OF = dt.date(2026, 11, 22)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pattern", help="template id or glob")
    parser.add_argument(
        "--customers", default="", help="comma-separated ids (default: a few per case)"
    )
    args = parser.parse_args()
    bench = prepare(Sources(resolve(None, sample=True)), AS_OF)
    engine = TemplateEngine(bench, allow_unapproved=True)
    chosen = [
        t for i, t in sorted(bench.library.templates.items()) if fnmatch.fnmatch(i, args.pattern)
    ]
    if not chosen:
        print(f"no template matches {args.pattern!r}", file=sys.stderr)
        return 2
    for item in chosen:
        if item.problem or item.header is None:
            print(f"== {item.id}: INVALID: {item.problem}\n")
            continue
        ids = [c for c in args.customers.split(",") if c] or _pick(bench, item.header.loss_reasons)
        for cid in ids:
            req = request(
                bench, cid, item.header.campaign, item.header.channel, item.header.language
            )
            engine.candidates = [item]
            draft = engine.draft(req)
            print(f"== {item.id} for {cid} ({len(draft.body)} chars)")
            if draft.subject is not None:
                print(f"Subject: {draft.subject} ({len(draft.subject)} chars)")
            print(draft.body)
            print("findings:", [f.message for f in draft.findings] or "none", "\n")
    return 0


def _pick(bench: Workbench, reasons: list[str]) -> list[str]:
    """Two sample customers whose latest loss has one of `reasons` (or two regulars)."""
    if not reasons:
        return ["C1001", "C1135"]
    lost = [
        cid
        for cid, p in sorted(bench.profiles.items())
        if p["loss"] and p["loss"]["reason"] in reasons
    ]
    return lost[:2]


if __name__ == "__main__":
    sys.exit(main())
