"""The drafts one template produced (`followup templates drafts ID`).

From the workspace's contact history (`followup.history.store`: every draft a batch
recorded, across outboxes and months) and from the index (`drafts.jsonl`) of outbox
folders a batch wrote without a history (the bundled sample keeps none), each draft
once. Each says which version of the template made it: the approved one, the file as it
is now (not approved), or an earlier one (the hash is neither).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from followup.drafting.library import Library
from followup.outbox.journal import JSONL

Version = Literal["approved", "current", "earlier", "unknown"]


@dataclass(frozen=True)
class Produced:
    """One draft a template produced."""

    customer_id: str
    campaign: str
    channel: str
    language: str
    drafted_on: dt.date | None  # None: listed in an outbox's index only (no day recorded)
    template_hash: str | None
    version: Version
    status: str
    outbox: str  # the folder, absolute
    file: str


def template_drafts(
    library: Library, root: Path | None, template_id: str, outboxes: Iterable[Path] = ()
) -> list[Produced]:
    """The drafts `template_id` produced, oldest first (index-only ones last)."""
    from followup.history.store import contacts

    library.get(template_id)  # an unknown id: the usual message
    version = _versions(library, template_id)
    found: dict[tuple[str, str], Produced] = {}
    recorded = contacts(root, template_id=template_id) if root is not None else []
    for c in recorded:
        found[(c.outbox, c.file)] = Produced(
            c.customer_id, c.campaign, c.channel, c.language, c.drafted_on,
            c.template_hash, version(c.template_hash), c.status, c.outbox, c.file,
        )  # fmt: skip
    for folder in _index_folders(outboxes):
        for record in _index(folder):
            key = (str(folder), str(record.get("file")))
            if record.get("template_id") != template_id or not record.get("file") or key in found:
                continue
            found[key] = Produced(
                str(record["customer_id"]), str(record["campaign"]), str(record["channel"]),
                str(record["language"]), None, record.get("template_hash"),
                version(record.get("template_hash")), str(record.get("status", "")), *key,
            )  # fmt: skip
    return sorted(found.values(), key=_order)


def _order(p: Produced) -> tuple[Any, ...]:
    return (p.drafted_on is None, p.drafted_on or dt.date.min, p.customer_id, p.outbox, p.file)


def _versions(library: Library, template_id: str) -> Callable[[str | None], Version]:
    """hash -> `approved`, `current` (the file now, not approved) or `earlier`."""
    item = library.templates[template_id]
    approval = library.approval(item)
    approved = approval.sha256 if approval is not None else None

    def version(sha256: str | None) -> Version:
        if not sha256:
            return "unknown"
        if sha256 == approved:
            return "approved"
        return "current" if sha256 == item.sha256 else "earlier"

    return version


def _index_folders(outboxes: Iterable[Path]) -> list[Path]:
    """Each outbox folder with an index, and its per-rep folders (`batch --split-by-owner`)."""
    folders = []
    for outbox in outboxes:
        if not outbox.is_dir():
            continue
        here = outbox.resolve()
        candidates = [here, *sorted(p for p in here.iterdir() if p.is_dir())]
        folders += [folder for folder in candidates if (folder / JSONL).is_file()]
    return folders


def _index(folder: Path) -> list[dict[str, Any]]:
    """The records of an outbox's drafts.jsonl (a line that is not JSON is skipped)."""
    records = []
    with open(folder / JSONL, encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
    return records
