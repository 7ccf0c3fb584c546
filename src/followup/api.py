"""followup's Python API: the functions the command line is made of.

```python
import followup

data = followup.load("my-team")                        # the workspace's tables, checked
segments = followup.segment(data, as_of="2026-11-30")  # RFM and a segment per customer
bench = followup.workbench(data, as_of="2026-11-30")   # + company facts and templates
draft = followup.draft(bench, "C1042", "reactivation") # one Draft, from approved wording
summary = followup.batch(bench, "urgency", "outbox", segments=("at_risk",))
```

Every function raises a `followup.errors.FollowupError` (with the file, row and column
where it applies) for input it cannot use. Nothing heavy is imported until a function
runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # nothing else at import: `import followup` stays light
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    from followup.analysis.segmented import Segmented
    from followup.data.dataset import Dataset
    from followup.drafting.draft import Draft
    from followup.drafting.engine import Engine
    from followup.drafting.preflight import Preflight
    from followup.drafting.workbench import Workbench
    from followup.history.threads import Due
    from followup.outbox.batch import Progress, Summary
    from followup.outbox.folder import Outbox

    Day = dt.date | str | None  # a date, `YYYY-MM-DD`, or None for today


def load(
    workspace: str | Path | None = None,
    *,
    sample: bool = False,
    orders: str | Path | None = None,
    customers: str | Path | None = None,
    losses: str | Path | None = None,
    columns: str | Path | None = None,
    keep_bad_rows: bool = False,
    need_losses: bool = False,
) -> Dataset:
    """A workspace's tables (or the given files), loaded and checked.

    `workspace` is a folder (default: the current one, if it is a workspace); `sample`
    takes the bundled sample. A row that cannot be used raises `InputError` naming the
    file, row and column, unless `keep_bad_rows`: then it is set aside in
    `Dataset.rejects`.
    """
    from followup.data.dataset import Sources, load_dataset
    from followup.workspace import resolve

    ws = resolve(_path(workspace), sample=sample)
    sources = Sources(ws, _path(orders), _path(customers), _path(losses), _path(columns))
    return load_dataset(sources, keep_bad_rows=keep_bad_rows, need_losses=need_losses)


def segment(
    data: Dataset,
    as_of: Day = None,
    *,
    scheme: str = "classic",
    rules: str | Path | None = None,
    thresholds: str | None = None,
) -> Segmented:
    """RFM scores and a segment for every customer as of a day (`classic` or `cn8`, or a
    manager's rules file); `thresholds` (cn8) like `r=90,f=3,m=5000`."""
    from pathlib import Path

    from followup.analysis.segmented import segment as segment_data
    from followup.analysis.segments import Thresholds, default_rules
    from followup.errors import UsageError

    if rules:  # a rules file is validated with pydantic: ~0.1 s to import, only then
        from followup.analysis.segment_rules import load_rules

        chosen = load_rules(Path(rules))
    else:
        chosen = default_rules(scheme)
    if rules and scheme not in (chosen.scheme, "classic"):
        raise UsageError(f"--scheme {scheme} but {rules} is for {chosen.scheme}")
    return segment_data(data, day(as_of), chosen, Thresholds.parse(thresholds))


def workbench(data: Dataset, as_of: Day = None) -> Workbench:
    """Everything drafting needs, prepared once: the data's workspace's company facts and
    template library, and every customer's profile (both segment schemes)."""
    from followup.drafting.workbench import build_workbench

    return build_workbench(data, day(as_of))


def engine(bench: Workbench, name: str = "template", **options: Any) -> Engine:
    """`template` (the approved library, offline), `llm` (an OpenAI-compatible API, from
    followup.toml and the environment), or `auto` (llm when an API is configured).
    Options: allow_unapproved, tone, length, model, base_url, timeout, concurrency."""
    from followup.llm.engine import make_engine

    return make_engine(bench, name, **options)


def draft(
    bench: Workbench,
    customer_id: str,
    campaign: str,
    *,
    channel: str = "email",
    language: str | None = None,
    engine: Engine | None = None,
) -> Draft:
    """One draft for one customer (default engine: the template engine). The draft carries
    its provenance and check findings; nothing is written."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.workbench import request

    drafter = engine if engine is not None else TemplateEngine(bench)
    return drafter.draft(request(bench, customer_id, campaign, channel, language))


def preflight(
    bench: Workbench, campaign: str, *, engine: Engine | None = None, **selection: Any
) -> Preflight:
    """Who a batch of `campaign` targets, and for each, a draft request or why it cannot be
    drafted. `selection`: channel, segments, owner, limit, language, customers,
    due_within, plan_year, plan_growth, plan_buffer_days (`drafting.preflight.Selection`)."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.preflight import Selection
    from followup.drafting.preflight import preflight as check

    drafter = engine if engine is not None else TemplateEngine(bench)
    return check(bench, drafter, Selection(campaign, **selection))


def run(
    bench: Workbench,
    targets: Preflight,
    out: str | Path,
    *,
    engine: Engine | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    overwrite_edited: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> Summary:
    """Draft a pre-flight's drafts into the outbox folder `out`; a rerun skips the drafts
    that are current there and keeps those a rep edited (unless `overwrite_edited`). One
    failure never stops the batch: the summary counts them. Another run may write into the
    same outbox at the same time; `on_wait` hears it when this one waits for it."""
    from pathlib import Path

    from followup.drafting.engine import TemplateEngine
    from followup.outbox.batch import run as run_batch
    from followup.outbox.folder import Outbox

    drafter = engine if engine is not None else TemplateEngine(bench)
    outbox = Outbox(Path(out), date=bench.as_of, overwrite_edited=overwrite_edited, on_wait=on_wait)
    remember = _remember(bench)
    return run_batch(targets, drafter, outbox, strict=strict, progress=progress, remember=remember)


def _remember(bench: Workbench) -> Callable[[Outbox], None] | None:
    """What records an outbox's drafts in the workspace's contact history (nothing for
    the bundled sample, which is read-only). A history that cannot be written is said
    like an index that cannot be: the drafts stay, the exit is 1."""
    from followup.history.store import record_drafts
    from followup.workspace import sample_root

    root = bench.root
    if root is None or root.resolve() == sample_root().resolve():
        return None

    def remember(outbox: Outbox) -> None:
        record_drafts(root, outbox.root, outbox.history_records(), bench.as_of)

    return remember


def batch(
    bench: Workbench,
    campaign: str,
    out: str | Path,
    *,
    engine: Engine | None = None,
    strict: bool = False,
    **selection: Any,
) -> Summary:
    """`preflight`, then `run`: a campaign for everyone it targets, into an outbox."""
    targets = preflight(bench, campaign, engine=engine, **selection)
    return run(bench, targets, out, engine=engine, strict=strict)


def due(
    data: Dataset,
    as_of: Day = None,
    *,
    campaign: str | None = None,
    days: int | None = None,
    waited: bool = True,
) -> list[Due]:
    """Buyers due a next touch on `as_of`: their latest follow-up (of `campaign`) was sent
    with no answer, no bounce and no order since, fewer touches than `[contact]
    max_touches`, and (`waited`) `[contact] touch_after_days` ago (`days` instead). Each
    carries the message to follow up, with its drafted text (for the LLM prompt)."""
    from dataclasses import replace

    from followup.errors import UsageError
    from followup.history.threads import due as due_in
    from followup.outbox.messages import read_back

    root = data.sources.workspace.root
    if root is None:
        raise UsageError("the contact history lives in a workspace: pass --workspace DIR")
    rules = data.settings.contact
    if days is not None:
        rules = replace(rules, touch_after_days=days, touch_after={})
    found = due_in(
        root, day(as_of), rules=rules, campaign=campaign, ordered=_last_orders(data), waited=waited
    )
    done = []
    for item in found:
        try:
            channel = "whatsapp" if item.file.suffix == ".txt" else "email"
            text = str(read_back(channel, item.file.read_bytes()).get("body") or "")
        except OSError:
            text = ""  # the outbox was cleared: the next touch is drafted without it
        done.append(replace(item, previous=replace(item.previous, text=text)))
    return done


def _last_orders(data: Dataset) -> dict[str, dt.date]:
    """Customer id -> the day of its latest order (a new order ends a touch sequence)."""
    import pyarrow.compute as pc

    table = data.orders.table
    if table.num_rows == 0:
        return {}
    grouped = table.group_by("customer_id").aggregate([("order_date", "max")])
    ids = grouped.column("customer_id").cast("string").to_pylist()
    days = pc.cast(grouped.column("order_date_max"), "date32").to_pylist()
    return dict(zip(ids, days, strict=True))


def day(value: Day) -> dt.date:
    """A date from a date, `YYYY-MM-DD` (or any date format followup reads), or None: today."""
    import datetime as dt

    from followup.data.parsing import parse_date_text
    from followup.errors import UsageError

    if value is None or (isinstance(value, str) and not value.strip()):
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date_text(value.strip())
    if parsed is None:
        raise UsageError(f"--as-of: {value!r} is not a date (use YYYY-MM-DD)")
    return parsed


def _path(value: str | Path | None) -> Path | None:
    from pathlib import Path

    return None if value is None else Path(value)
