"""Why customers were lost: shares of loss reasons overall, by segment and by owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from followup.data.reasons import LOSS_REASONS

if TYPE_CHECKING:
    import pandas as pd

NO_SEGMENT = "(no orders)"
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class LossReport:
    by_reason: pd.DataFrame  # reason, label, losses, share, known
    by_segment: pd.DataFrame  # segment, reason, losses, share (within the segment)
    by_owner: pd.DataFrame  # owner, reason, losses, share (within the owner's losses)
    total: int
    unknown_reasons: dict[str, int]


def loss_report(losses: pd.DataFrame, segments: pd.DataFrame) -> LossReport:
    """`losses` from `load_losses`; `segments` with customer_id, segment and maybe owner."""
    import pandas as pd

    lookup = segments.set_index("customer_id")
    frame = losses[["customer_id", "reason", "reason_known"]].copy()
    frame["segment"] = frame["customer_id"].map(lookup["segment"]).fillna(NO_SEGMENT)
    owners = lookup["owner"] if "owner" in lookup else pd.Series(dtype=object)
    owner = frame["customer_id"].map(owners).astype(object)  # all-NaN when none: float
    frame["owner"] = owner.replace("", None).fillna(NO_OWNER)
    by_reason = frame.groupby("reason", sort=False).size().rename("losses").reset_index()
    by_reason["share"] = (by_reason["losses"] / max(len(frame), 1)).round(4)
    by_reason["known"] = by_reason["reason"].isin(LOSS_REASONS)
    by_reason["label"] = by_reason["reason"].map(
        lambda r: LOSS_REASONS[r].label if r in LOSS_REASONS else r
    )
    by_reason = _ordered(by_reason, [("losses", False)])
    unknown = frame.loc[~frame["reason_known"], "reason"].value_counts()
    return LossReport(
        by_reason[["reason", "label", "losses", "share", "known"]],
        _within(frame, "segment"),
        _within(frame, "owner"),
        len(frame),
        {str(k): int(v) for k, v in unknown.items()},
    )


def _within(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    counts = frame.groupby([group, "reason"], sort=False).size().rename("losses").reset_index()
    totals = counts.groupby(group)["losses"].transform("sum")
    counts["share"] = (counts["losses"] / totals).round(4)
    counts["group_total"] = totals
    ordered = _ordered(counts, [("group_total", False), (group, True), ("losses", False)])
    return ordered.drop(columns="group_total").reset_index(drop=True)


def _ordered(frame: pd.DataFrame, keys: list[tuple[str, bool]]) -> pd.DataFrame:
    """Sort by `(column, ascending)` keys, then by the reason table's order (unknown last)."""
    rank = {reason: i for i, reason in enumerate(LOSS_REASONS)}
    frame = frame.assign(_rank=frame["reason"].map(lambda r: rank.get(r, len(rank))))
    columns = [c for c, _ in keys] + ["_rank", "reason"]
    ascending = [a for _, a in keys] + [True, True]
    return frame.sort_values(columns, ascending=ascending, kind="stable").drop(columns="_rank")


def latest_per_customer(losses: pd.DataFrame) -> pd.DataFrame:
    """The latest loss record of each customer (by lost_date, undated first, then file
    order): the one a draft answers and the plan weighs."""
    ordered = losses.assign(_order=range(len(losses))).sort_values(
        ["lost_date", "_order"], na_position="first", kind="stable"
    )
    return ordered.drop_duplicates("customer_id", keep="last")
