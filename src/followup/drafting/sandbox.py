"""Rendering templates in Jinja's sandbox; its filters format for the draft's locale.

Customer fields reach a template only as values: Jinja never renders a value, so a
customer's notes that contain `{{ 7*7 }}` print as written. Undefined names are
errors (StrictUndefined), and attribute access goes through the sandbox. Every render
is bounded (`followup.drafting.bounds`): a template that loops forever, or makes
gigabytes of text or a number with a billion digits, stops with a `TemplateError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from followup import formatting
from followup.drafting import bounds  # stdlib only: jinja2 loads when a template does
from followup.errors import TemplateError
from followup.formatting import babel_locale

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Template, nodes
    from jinja2.bccache import Bucket
    from jinja2.runtime import Context
    from jinja2.sandbox import SandboxedEnvironment


def environment(locale: str) -> SandboxedEnvironment:
    """A sandboxed, strict environment whose filters format for `locale`."""
    return _environment(babel_locale(locale))


_OPTIONS = {
    "autoescape": False,
    "keep_trailing_newline": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


@cache
def _environment(locale: str) -> SandboxedEnvironment:
    from jinja2 import StrictUndefined

    env = _bounded_sandbox()(undefined=StrictUndefined, **_OPTIONS)
    env.filters.update(
        {
            "money": partial(formatting.money_text, locale=locale),
            "date": partial(formatting.date_text, locale=locale),
            "number": partial(formatting.number_text, locale=locale),
            "percent": partial(formatting.percent_text, locale=locale),
            "quoted": quoted,
        }
    )
    env.filters = {name: bounds.bound_filter(name, f) for name, f in env.filters.items()}
    env.filters[bounds.COUNTED_FILTER] = bounds.counted
    env.filters[bounds.SIZED_FILTER] = bounds.sized
    env.globals.pop("lipsum", None)  # paragraphs of filler on demand: no draft needs them
    return env


@cache
def _bounded_sandbox() -> type[SandboxedEnvironment]:
    """Jinja's sandbox, with every render bounded: calls, filters and `*`, `**`, `+`, `%`
    checked before they run and counted after, loops and outputs counted (`bound_tree`)."""
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
            bounds.check_binop(operator, left, right)
            result = super().call_binop(context, operator, left, right)
            bounds.spend(result)
            return result

        def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            args = bounds.check_call(obj, args, kwargs)
            result = super().call(context, obj, *args, **kwargs)
            bounds.spend(result)
            return result

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            """`str.format`/`format_map` (which the sandbox wraps): widths checked first."""
            wrapper = super().wrap_str_format(value)
            if wrapper is None:
                return None
            text, is_map = value.__self__, value.__name__ == "format_map"

            def checked(*args: Any, **kwargs: Any) -> str:
                mapping = args[0] if is_map and args and isinstance(args[0], Mapping) else {}
                bounds.check_format(text, () if is_map else args, mapping or kwargs)
                return wrapper(*args, **kwargs)

            return checked

        def _generate(
            self,
            source: nodes.Template,
            name: str | None,
            filename: str | None,
            defer_init: bool = False,
        ) -> str:
            bound = bounds.bound_tree(source)
            return super()._generate(bound, name, filename, defer_init=defer_init)

    return BoundedSandbox


FENCE = '"""'


def quoted(text: Any) -> str:
    """Text fenced as a quotation: for prompts, customer text is data, never instructions."""
    value = str(text or "").replace(FENCE, "''").strip() or "(none)"
    return f"{FENCE}\n{value}\n{FENCE}"


def compile_template(source: str, locale: str, name: str) -> Template:
    """Compile `source` (once per source and locale); a syntax error names the template."""
    from jinja2 import TemplateSyntaxError

    try:
        return _compiled(source, babel_locale(locale))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{name} line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise TemplateError(f"{name}: nested too deeply to compile") from None
    except ValueError as exc:  # e.g. an integer literal of more than 4,300 digits
        raise TemplateError(f"{name}: {exc}") from None


@cache
def _compiled(source: str, locale: str) -> Template:
    """Compiled code comes from the cache folder when an earlier run compiled the same
    source (Jinja compiles a template in ~2 ms; a batch uses dozens in every process)."""
    env = _environment(locale)
    store = _code_store()
    if store is None:
        return env.from_string(source)
    bucket = store.get_bucket(env, f"{_code_tag()}\0{locale}\0{source}", None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        store.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))


@cache
def _code_store() -> BytecodeCache | None:
    """Jinja's file cache of compiled templates in the user's cache folder, if any."""
    from jinja2 import FileSystemBytecodeCache

    from followup.cache import cache_dir

    class QuietCache(FileSystemBytecodeCache):
        """A cache file that cannot be read or written is skipped, never an error."""

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or cut short (pickle, marshal): compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    root = cache_dir()
    return None if root is None else QuietCache(str(root / "templates"))


@cache
def _code_tag() -> str:
    """What the compiled code depends on besides the source and locale."""
    import jinja2

    from followup.version import __version__

    options = sorted(_OPTIONS.items())
    return f"followup {__version__}, jinja2 {jinja2.__version__}, {options}, {_BOUNDS_CODE}"


#: the compiled code's shape under `bounds.bound_tree`: change it when that changes
_BOUNDS_CODE = "bounded loops and outputs 1"


@cache
def _globals(template: Template) -> dict[str, Any]:
    """The template's globals (`namespace`, ...) as one dict (Jinja chains two per render)."""
    return dict(template.globals)


#: templates that went past a render's bounds: template -> [times, the message]. After
#: GIVE_UP times a render of it fails at once, with the same message, rather than spend
#: its whole budget again (a batch of 10,000 drafts from a template that never ends)
_OVER_BUDGET: dict[Template, list[Any]] = {}
GIVE_UP = 3


def render(
    template: Template,
    context: Mapping[str, Any],
    name: str,
    *,
    regions: Mapping[str, str] | None = None,
    seen: dict[str, str] | None = None,
) -> str:
    """Render with `context`, within a render's bounds; an unknown name, a sandbox
    violation or a bound reached names the template.

    `regions` replaces the text of those `{% block %}`s (an LLM's rewrite of a region);
    `seen` receives what each other block rendered (a region's approved wording).
    """
    from jinja2.runtime import new_context

    _refuse_if_over_budget(template)
    # Template.render(context), without copying the context twice and globals thrice
    env, names = template.environment, _globals(template)
    blocks = (
        template.blocks
        if not (regions or seen is not None)
        else (_blocks(template, regions or {}, seen))
    )
    scope = new_context(env, template.name, blocks, {**names, **context}, True, names)
    budget = bounds.start()
    try:
        return env.concat(template.root_render_func(scope))
    except Exception as exc:
        raise _template_error(exc, name, template) from None
    finally:
        bounds.stop(budget)


Block = Callable[[Any], Iterator[str]]


def _blocks(
    template: Template, regions: Mapping[str, str], seen: dict[str, str] | None
) -> dict[str, Block]:
    """The template's block functions, regions replaced by their text, the rest recorded."""
    blocks: dict[str, Block] = dict(template.blocks)
    for block, function in template.blocks.items():
        if block in regions:
            blocks[block] = partial(_fixed, regions[block])
        elif seen is not None:
            blocks[block] = partial(_recorded, function, block, seen)
    return blocks


def _fixed(text: str, _context: Any) -> Iterator[str]:
    yield text


def _recorded(function: Block, block: str, seen: dict[str, str], context: Any) -> Iterator[str]:
    chunks = list(function(context))
    seen[block] = "".join(chunks)
    yield from chunks


def render_block(template: Template, block: str, context: Mapping[str, Any], name: str) -> str:
    """One `{% block %}` of a template (a prompt's system or user message), as `render`."""
    if block not in template.blocks:
        raise TemplateError(f"{name}: needs a {{% block {block} %}}")
    _refuse_if_over_budget(template)
    budget = bounds.start()
    try:
        return "".join(template.blocks[block](template.new_context(dict(context))))
    except Exception as exc:
        raise _template_error(exc, name, template) from None
    finally:
        bounds.stop(budget)


def _refuse_if_over_budget(template: Template) -> None:
    seen = _OVER_BUDGET.get(template)
    if seen is not None and seen[0] >= GIVE_UP:
        raise TemplateError(seen[1])


def _template_error(exc: Exception, name: str, template: Template) -> Exception:
    """What went wrong in a render as a `TemplateError` naming the template (an error that
    is not the template's doing comes back as it is)."""
    for kinds, say in _render_errors():
        if isinstance(exc, kinds):
            message = f"{name}: {say(exc)}"
            if kinds is _render_errors()[0][0]:  # a bound reached: remembered
                _OVER_BUDGET.setdefault(template, [0, message])[0] += 1
            return TemplateError(message)
    return exc


@cache
def _render_errors() -> tuple[tuple[Any, Callable[[Any], str]], ...]:
    """(error classes, what the message says), the first match wins."""
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    from followup.errors import BudgetExceeded

    return (
        (BudgetExceeded, str),
        (UndefinedError, lambda exc: exc.message),
        (SecurityError, lambda exc: f"not allowed in a template ({exc})"),
        (RecursionError, lambda _: "a macro or loop calls itself too deeply"),
        (MemoryError, lambda _: "ran out of memory rendering it"),
        (
            (RuntimeError, TypeError, ValueError, AttributeError, ArithmeticError, AssertionError),
            lambda exc: str(exc) or type(exc).__name__,
        ),
    )
