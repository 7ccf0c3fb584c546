"""What a batch will cost in API calls and tokens before it runs, and what it cost after.

Each engine estimates its own call (`Engine.estimate`: the template engine makes none).
The estimate counts the calls a batch will make (drafts already current in the outbox
make none) and the tokens: the prompt's, estimated from its characters, and out, at most
`max_tokens` a call. A re-ask, when a reply cannot be parsed, a repair round for a refused
region and the short request for the rep's Chinese view of an accepted draft add calls;
the estimate says so instead of guessing how many there will be. Prices come from
`[llm] price_in_per_1k` / `price_out_per_1k` in followup.toml (`Engine.cost`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.drafting.engine import Engine
    from followup.drafting.preflight import Preflight


@dataclass(frozen=True)
class Budget:
    calls: int  # API requests the batch will make (before any re-ask)
    drafts: int  # ... for this many drafts
    unchanged: int  # drafts already current in the outbox: no call
    tokens_in: int  # estimated
    tokens_out: int  # at most: max_tokens a call
    cost: float | None  # the most it can cost at the configured prices (None: no prices set)


def estimate(
    targets: Preflight, engine: Engine, is_current: Callable[[str, str], bool] | None = None
) -> Budget | None:
    """The calls and tokens `targets` will take with `engine` (None: it makes no API call)."""
    calls = drafts = unchanged = tokens_in = tokens_out = 0
    if not targets.drafts:
        return None
    for planned in targets.drafts:
        req = planned.request
        call = engine.estimate(req)
        if call is None:
            return None
        if is_current is not None and is_current(req.key, engine.fingerprint(req) or ""):
            unchanged += 1
            continue
        calls += call.calls
        drafts += 1
        tokens_in += call.tokens_in
        tokens_out += call.tokens_out
    cost = engine.cost(tokens_in, tokens_out)
    return Budget(calls, drafts, unchanged, tokens_in, tokens_out, cost)


def describe(budget: Budget) -> str:
    """The dry run's lines about the API: calls, tokens, cost."""
    lines = [
        f"API calls: {budget.calls:,} for {budget.drafts:,} drafts ({budget.unchanged:,} already "
        "current in the outbox are skipped; a reply that cannot be parsed adds one re-ask, a "
        "refused part one repair, an accepted draft one short call for the Chinese view).",
        f"Token budget: ~{budget.tokens_in:,} in (estimated from the prompts' characters), "
        f"at most {budget.tokens_out:,} out (max_tokens a call).",
    ]
    if budget.cost is not None:
        lines.append(f"Estimated cost: at most {money(budget.cost)} at followup.toml's prices.")
    return "\n".join(lines) + "\n"


def money(amount: float) -> str:
    """A cost: cents-level detail for small amounts (no currency: the prices' own)."""
    return f"{amount:,.4f}" if amount < 1 else f"{amount:,.2f}"
