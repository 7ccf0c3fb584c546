"""followup: draft the follow-ups that win export orders.

The Python API (the command line is made of the same functions; see the README):

    import followup

    data = followup.load("my-team")
    bench = followup.workbench(data, as_of="2026-11-30")
    print(followup.draft(bench, "C1042", "reactivation").body)
"""

from followup.api import (
    batch,
    day,
    draft,
    due,
    engine,
    load,
    preflight,
    run,
    segment,
    workbench,
)
from followup.errors import FollowupError
from followup.version import __version__

__all__ = [
    "FollowupError",
    "__version__",
    "batch",
    "day",
    "draft",
    "due",
    "engine",
    "load",
    "preflight",
    "run",
    "segment",
    "workbench",
]
