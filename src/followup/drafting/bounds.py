"""Bounds on one render of a template or prompt: no template can hang followup or fill
its memory, and one that tries fails with a `TemplateError` naming it.

Jinja's sandbox keeps a template from reaching outside it, not from working forever:
`range()` is capped at 100,000, but two loops over it nested are 10^10 steps,
`"x" * 10**9` is a gigabyte, and `10**10**10` never ends. Every render gets a `Budget`:

- steps: each loop iteration and each call (macros, methods, `loop()`) is a step, at
  most `MAX_STEPS`;
- text: every string, list or dict a render makes (its output, what filters, calls and
  operators return, `~`) counts its size against `MAX_TEXT`; an operation whose result
  size is known beforehand (`*`, `+`, `**`, `%`, `replace`, `join`, widths, `indent`,
  `wordwrap`, `sum`) is checked before it runs, so nothing big is ever built;
- time: `MAX_SECONDS` of wall clock, looked at every `CLOCK_EVERY` steps (from the first
  look on: a render that takes fewer steps never reads the clock);
- numbers: an integer operation whose result would be over `MAX_INT_BITS` bits is refused.

The sandbox (`followup.drafting.sandbox`) compiles every template through `bound_tree`:
each `{% for %}` iterates through the `_counted` filter (`counted`), which spends a step
(and the loop body's literal text) per iteration; each `{{ … }}` that nothing else counts
passes the `_sized` filter (`sized`). Filters (a template cannot rebind one, unlike a
name) compile to plain calls. Calls, the other filters and the intercepted operators are
checked by the environment itself. The cost is a counter update a loop iteration and a
function call an output.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import wraps
from typing import TYPE_CHECKING, Any, Final

from followup.errors import BudgetExceeded

if TYPE_CHECKING:
    from jinja2 import nodes

MAX_STEPS: Final = 100_000
MAX_TEXT: Final = 1_000_000
MAX_SECONDS: Final = 5.0
MAX_INT_BITS: Final = 4096
CLOCK_EVERY: Final = 64
COUNTED_FILTER: Final = "_counted"  # the filter every `{% for %}` iterable passes
SIZED_FILTER: Final = "_sized"  # the filter every uncounted `{{ … }}` passes


class Budget:
    """What one render may still spend. Not shared between threads (`bounded`)."""

    __slots__ = ("clock_at", "deadline", "steps", "text")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.text = MAX_TEXT
        self.clock_at = MAX_STEPS - CLOCK_EVERY
        self.deadline = 0.0  # set at the first look at the clock: most renders never look

    def step(self) -> None:
        self.steps -= 1
        if self.steps <= self.clock_at:
            self.check()

    def check(self) -> None:
        """Out of steps or out of time: stop; else look at the clock again in a while."""
        if self.steps <= 0:
            raise BudgetExceeded(
                f"stopped after {MAX_STEPS:,} loop steps and calls: a template must not loop "
                "that much (loops nested over range()?)"
            )
        self.on_time()
        self.clock_at = self.steps - CLOCK_EVERY

    def on_time(self) -> None:
        now = time.monotonic()
        if not self.deadline:  # the clock starts at the first look (CLOCK_EVERY steps in)
            self.deadline = now + MAX_SECONDS
        elif now > self.deadline:
            raise BudgetExceeded(
                f"stopped after {MAX_SECONDS:g} s of rendering: a template must render in "
                "well under a second"
            )

    def spend(self, size: int) -> None:
        self.text -= size
        if self.text < 0:
            raise too_big()


def too_big() -> BudgetExceeded:
    return BudgetExceeded(
        f"stopped at {MAX_TEXT:,} characters: a template must not make that much text"
    )


_CURRENT: ContextVar[Budget | None] = ContextVar("followup_render_budget", default=None)


@contextmanager
def bounded() -> Iterator[Budget]:
    """A fresh budget for the render run inside (this thread's, or this task's)."""
    budget = Budget()
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def start() -> Token[Budget | None]:
    """`bounded` without a context manager (a render's hot path): `stop(start())`."""
    return _CURRENT.set(Budget())


def stop(token: Token[Budget | None]) -> None:
    _CURRENT.reset(token)


def current() -> Budget:
    """The render's budget; code rendered outside `bounded` gets one for this use alone."""
    return _CURRENT.get() or Budget()


# --- what compiled templates call ------------------------------------------------------


#: what a loop may iterate as it is: its length is known and cannot change meanwhile
_FIXED = frozenset({tuple, str, range, dict, frozenset, set})


def counted(iterable: Iterable[Any], literal: int = 0) -> Iterable[Any]:
    """The items of a `{% for %}` loop, a step each (and the body's literal text): all at
    once for a container (a list as a snapshot: a loop that appends to its own list ends),
    else one by one."""
    kind = type(iterable)
    if kind is list or kind in _FIXED:
        budget = current()
        times = len(iterable)  # type: ignore[arg-type]  # a list or one of _FIXED
        budget.steps -= times
        if budget.steps <= budget.clock_at:
            budget.check()
        if literal:
            budget.spend(literal * times)
        return tuple(iterable) if kind is list else iterable
    return _one_by_one(iterable, literal)


def _one_by_one(iterable: Iterable[Any], literal: int) -> Iterator[Any]:
    budget = current()
    for item in iterable:
        budget.steps -= 1
        if budget.steps <= budget.clock_at:
            budget.check()
        if literal:
            budget.spend(literal)
        yield item


def sized(value: Any) -> Any:
    """The `_sized` filter: an output or `~` that nothing else counted, counted."""
    budget = _CURRENT.get() or Budget()
    budget.text -= len(value) if type(value) is str else size(value)
    if budget.text < 0:
        raise too_big()
    return value


def spend(value: Any) -> None:
    """Count what an operation made against the render's text budget."""
    budget = _CURRENT.get() or Budget()
    budget.text -= len(value) if type(value) is str else size(value)
    if budget.text < 0:
        raise too_big()


def size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters `value` makes as text (a container: its items' sizes),
    counted up to a little past `limit`: enough to know it is too big."""
    kind = type(value)
    if kind is str or kind is bytes or isinstance(value, str):
        return len(value)
    if kind is range:
        return len(value)
    if kind not in _WALKED:
        return 1
    total, todo, walked = 0, [value], 0
    while todo and total <= limit:
        item = todo.pop()
        kind = type(item)
        if kind is str or isinstance(item, str):
            total += len(item)
        elif kind is dict:
            total += 2 * len(item) + 1  # the keys: names, as a rule short
            todo.extend(item.values())
        elif kind in _WALKED:
            total += len(item) + 1
            todo.extend(item)
        else:
            total += len(item) if kind is range else 1
        walked += 1
        if not walked % 4096:  # a long walk: in time still?
            current().on_time()
    return total


_WALKED = frozenset({list, tuple, dict, set, frozenset})


def check_args(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """No argument bigger than a render may make, and no number larger (widths, counts)."""
    for value in args:
        kind = type(value)
        if kind is str:
            if len(value) > MAX_TEXT:
                raise too_big()
        elif kind is int or kind in _WALKED:
            _check_arg(value)
    if kwargs:
        for value in kwargs.values():
            _check_arg(value)


def _check_arg(value: Any) -> None:
    kind = type(value)
    if kind is int:
        if value > MAX_TEXT:
            raise BudgetExceeded(
                f"{value:,} is too large a number for a template (at most {MAX_TEXT:,})"
            )
    elif (kind is str and len(value) > MAX_TEXT) or (kind in _WALKED and size(value) > MAX_TEXT):
        raise too_big()


def check_int(left: Any, right: Any, operator: str) -> None:
    """An integer `*` or `**` whose result would be over MAX_INT_BITS bits is refused."""
    if type(left) is not int or type(right) is not int:
        return
    if operator == "*":
        bits = left.bit_length() + right.bit_length()
    elif right > 0 and abs(left) > 1:
        bits = right * left.bit_length() if right < MAX_INT_BITS else MAX_INT_BITS * 2
    else:
        bits = 0
    if bits > MAX_INT_BITS:
        raise BudgetExceeded(f"{operator} would make a number of more than {MAX_INT_BITS} bits")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Before `*`, `**`, `+` or `%` runs: the size of what it would make."""
    if operator in {"*", "**"}:
        check_int(left, right, operator)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and type(times) is int
                if repeated and size(seq) * max(times, 0) > MAX_TEXT:
                    raise too_big()
    elif operator == "+":
        if isinstance(left, str | list | tuple) and size(left) + size(right) > MAX_TEXT:
            raise too_big()
    elif operator == "%" and isinstance(left, str):
        check_format(left, right if isinstance(right, tuple) else (right,), {})


_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d*))?[a-zA-Z%]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
_DIGITS = re.compile(r"\d+")


def check_format(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """A format string (`%` or `.format`) and its arguments: its widths and fields."""
    fields = _PRINTF_FIELD.findall(text)
    widths = sum(int(w or 0) + int(p or 0) for w, p in fields)
    braces = _FORMAT_FIELD.findall(text)
    widths += sum(int(d) for field in braces for d in _DIGITS.findall(field.partition(":")[2]))
    largest = max((size(a) for a in (*args, *kwargs.values())), default=0)
    if len(text) + widths + (len(fields) + len(braces)) * largest > MAX_TEXT:
        raise too_big()


def check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    if not isinstance(text, str) or not isinstance(old, str) or not isinstance(new, str):
        return
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    if len(text) + times * max(len(new) - len(old), 0) > MAX_TEXT:
        raise too_big()


def check_join(items: list[Any], separator: Any) -> None:
    if sum(size(item) for item in items) + len(items) * size(separator) > MAX_TEXT:
        raise too_big()


def _listed(value: Any) -> Any:
    """An iterable's items as a list (to size them before joining); others as they are."""
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return list(value)
    return value


def _check_filter(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """The filters whose result can be far larger than their arguments."""
    value = args[0] if args else None
    rest = args[1:]
    if name == "replace" and len(rest) >= 2:
        check_replace(value, *rest[:3])
    elif name == "join":
        args[0] = _listed(value)
        if isinstance(args[0], list):
            check_join(args[0], rest[0] if rest else kwargs.get("d", ""))
    elif name == "format" and isinstance(value, str):
        check_format(value, tuple(rest), kwargs)
    elif name == "indent" and isinstance(value, str):
        width = rest[0] if rest else kwargs.get("width", 4)
        if len(value) + (value.count("\n") + 1) * size(width) > MAX_TEXT:
            raise too_big()
    elif name == "wordwrap" and isinstance(value, str):
        width = rest[0] if rest else kwargs.get("width", 79)
        wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
        breaks = len(value) // max(width if type(width) is int else 1, 1) + value.count("\n")
        if len(value) + (breaks + 1) * size(wrap) > MAX_TEXT:
            raise too_big()
    elif name == "sum":
        start = rest[1] if len(rest) > 1 else kwargs.get("start", 0)
        if not isinstance(start, int | float):  # adding sequences: quadratic, and big
            args[0] = _listed(value)
            if isinstance(args[0], list) and size(args[0]) * max(len(args[0]), 1) > MAX_TEXT:
                raise too_big()


#: the filters whose result can be far larger than their arguments (`_check_filter`)
GROWING_FILTERS: Final = frozenset({"replace", "join", "format", "indent", "wordwrap", "sum"})


def bound_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a filter) with its arguments checked before and its result counted."""
    if name not in GROWING_FILTERS:

        @wraps(function)  # keeps jinja_pass_arg (a context, an environment... goes first)
        def bounded_filter(*args: Any, **kwargs: Any) -> Any:
            check_args(args, kwargs)  # a context or environment passed first is no number
            result = function(*args, **kwargs)
            spend(result)
            return result

        return bounded_filter
    passes = getattr(function, "jinja_pass_arg", None) is not None

    @wraps(function)
    def growing_filter(*args: Any, **kwargs: Any) -> Any:
        head, values = (args[:1], list(args[1:])) if passes else ((), list(args))
        check_args(tuple(values), kwargs)
        _check_filter(name, values, kwargs)
        result = function(*head, *values, **kwargs)
        spend(result)
        return result

    return growing_filter


def check_call(function: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Before a sandboxed call: a step, its arguments, and the `str` methods that can make
    far more than they are given. Returns the arguments (a join's items listed)."""
    current().step()
    check_args(args, kwargs)
    owner = getattr(function, "__self__", None)
    if isinstance(owner, str):
        method = getattr(function, "__name__", "")
        if method == "replace" and len(args) >= 2:
            check_replace(owner, *args[:3])
        elif method == "join" and args:
            args = (_listed(args[0]), *args[1:])
            if isinstance(args[0], list):
                check_join(args[0], owner)
        elif method == "expandtabs":
            tab = args[0] if args else kwargs.get("tabsize", 8)
            if type(tab) is int and len(owner) + owner.count("\t") * tab > MAX_TEXT:
                raise too_big()
    return args


# --- the compiled code: every loop counted, every output sized --------------------------


def bound_tree(tree: nodes.Template) -> nodes.Template:
    """The template's syntax tree with its loops and outputs going through the budget."""
    from jinja2 import nodes
    from jinja2.visitor import NodeTransformer

    counted_already = (nodes.TemplateData, nodes.Const, nodes.Call, nodes.Filter)

    class Bound(NodeTransformer):
        def visit_For(self, node: nodes.For) -> nodes.Node:
            self.generic_visit(node)
            literal = nodes.Const(_literal_size(node.body), lineno=node.lineno)
            node.iter = _filtered(node.iter, COUNTED_FILTER, [literal])
            return node

        def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
            self.generic_visit(node)
            return _filtered(node, SIZED_FILTER)

        def visit_Output(self, node: nodes.Output) -> nodes.Node:
            self.generic_visit(node)
            node.nodes = [
                child if isinstance(child, counted_already) else _filtered(child, SIZED_FILTER)
                for child in node.nodes
            ]
            return node

    result: nodes.Template = Bound().visit(tree)
    return result


def _filtered(node: nodes.Node, name: str, args: list[nodes.Expr] | None = None) -> nodes.Expr:
    from jinja2 import nodes

    return nodes.Filter(node, name, args or [], [], None, None, lineno=node.lineno)


def _literal_size(body: list[nodes.Node]) -> int:
    """The literal text a loop's body outputs each time round (nested loops and macros
    count their own)."""
    from jinja2 import nodes

    total, todo = 0, list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, nodes.TemplateData):
            total += len(node.data)
        elif isinstance(node, nodes.Const) and isinstance(node.value, str):
            total += len(node.value)
        elif not isinstance(node, nodes.For | nodes.Macro | nodes.CallBlock):
            todo.extend(node.iter_child_nodes())
    return total
