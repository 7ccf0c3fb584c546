"""What an LLM batch will cost before it runs, and what it cost after.

The estimate counts the API calls a batch will make (drafts already current in the
outbox make none) and the tokens: the prompt's characters at `CHARS_PER_TOKEN` (a
rough rule for Latin-script text: the real count depends on the model's tokenizer)
and, out, at most `max_tokens` a call. A re-ask, when a reply cannot be parsed, adds
one more call of each; the estimate says so instead of guessing how many there will be.
Prices come from `[llm] price_in_per_1k` / `price_out_per_1k` in followup.toml.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.batch import Plan, Summary
    from followup.drafting import Engine
    from followup.settings import LLMSettings

CHARS_PER_TOKEN = 4


def tokens_for(text_chars: int) -> int:
    """Estimated tokens of a text of this many characters."""
    return math.ceil(text_chars / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Budget:
    calls: int  # API requests the batch will make (before any re-ask)
    unchanged: int  # drafts already current in the outbox: no call
    tokens_in: int  # estimated
    tokens_out: int  # at most: max_tokens a call
    settings: LLMSettings

    @property
    def cost(self) -> float | None:
        """The most it can cost at the configured prices (None: no prices set)."""
        return cost(self.tokens_in, self.tokens_out, self.settings)


def estimate(
    the_plan: Plan, engine: Engine, is_current: Callable[[str, str], bool] | None = None
) -> Budget | None:
    """The calls and tokens `the_plan` will take with `engine` (None: it makes no API call)."""
    from followup.llm_engine import LLMEngine

    if not isinstance(engine, LLMEngine):
        return None
    calls = unchanged = tokens_in = tokens_out = 0
    for planned in the_plan.drafts:
        req = planned.request
        if is_current is not None and is_current(req.key, engine.fingerprint(req) or ""):
            unchanged += 1
            continue
        sent, most = engine.estimate(req)
        calls, tokens_in, tokens_out = calls + 1, tokens_in + sent, tokens_out + most
    return Budget(calls, unchanged, tokens_in, tokens_out, engine.config.settings)


def spent(summary: Summary, engine: Engine) -> float | None:
    """What a finished batch cost at followup.toml's prices (None: no API, or no prices)."""
    from followup.llm_engine import LLMEngine

    if not isinstance(engine, LLMEngine):
        return None
    return cost(summary.tokens_in, summary.tokens_out, engine.config.settings)


def cost(tokens_in: int, tokens_out: int, settings: LLMSettings) -> float | None:
    """At the prices per 1k tokens in followup.toml; None when either price is not set."""
    if settings.price_in_per_1k is None or settings.price_out_per_1k is None:
        return None
    return tokens_in / 1000 * settings.price_in_per_1k + tokens_out / 1000 * (
        settings.price_out_per_1k
    )


def describe(budget: Budget) -> str:
    """The dry run's lines about the API: calls, tokens, cost."""
    lines = [
        f"API calls: {budget.calls:,}, one a draft ({budget.unchanged:,} already current in the "
        "outbox are skipped; a reply that cannot be parsed adds one re-ask).",
        f"Token budget: ~{budget.tokens_in:,} in (about {CHARS_PER_TOKEN} characters a token), "
        f"at most {budget.tokens_out:,} out (max_tokens a call).",
    ]
    if budget.cost is not None:
        lines.append(f"Estimated cost: at most {money(budget.cost)} at followup.toml's prices.")
    return "\n".join(lines) + "\n"


def money(amount: float) -> str:
    """A cost: cents-level detail for small amounts (no currency: the prices' own)."""
    return f"{amount:,.4f}" if amount < 1 else f"{amount:,.2f}"
