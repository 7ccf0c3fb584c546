"""Record the shipped template library's approvals in templates/approvals.json.

    python scripts/approve_shipped.py --by "Grace Xu (export sales manager)"

The shipped library drafts out of the box, so its templates ship approved. Run this
after a reviewer has read the changed templates (`git diff templates/`): it approves
every valid template whose content changed, keeps the record (approver, date) of the
unchanged ones, and drops records of deleted templates; the file's history keeps every
approval it ever recorded (an older file's records become its first entries).
tests/test_library.py fails while any shipped template is unapproved or modified.
"""

from __future__ import annotations

import argparse
import sys

from followup.drafting.approval_log import Approval, Event, now, read_log, timestamp, write_log
from followup.drafting.library import load_library, shipped_root


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--by", required=True, help="who reviewed and approves the changed templates"
    )
    args = parser.parse_args()
    root = shipped_root()
    library = load_library(None)
    log = read_log(root)
    old, log.approvals, log.revoked = log.approvals, {}, {}
    when = now()
    day = when.date().isoformat()
    invalid = []
    for item in sorted(library.templates.values(), key=lambda t: t.id):
        if item.problem:
            invalid.append(f"{item.id}: {item.problem}")
            continue
        kept = old.get(item.id)
        if kept is not None and kept.sha256 == item.sha256:
            log.approvals[item.id] = kept
        else:
            event = Event(item.id, "approve", args.by, day, item.sha256, at=timestamp(when))
            log.approve(event, Approval(item.sha256, args.by, day, item.text))
            print(f"approved {item.id}")
    write_log(root, log)
    for line in invalid:
        print(f"NOT approved (invalid): {line}", file=sys.stderr)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
