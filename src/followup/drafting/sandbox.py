"""Rendering templates in Jinja's sandbox; its filters format for the draft's locale.

Customer fields reach a template only as values: Jinja never renders a value, so a
customer's notes that contain `{{ 7*7 }}` print as written. Undefined names are
errors (StrictUndefined), and attribute access goes through the sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from followup import formatting
from followup.errors import TemplateError
from followup.formatting import babel_locale

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Template
    from jinja2.bccache import Bucket
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
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, **_OPTIONS)
    env.filters.update(
        {
            "money": partial(formatting.money_text, locale=locale),
            "date": partial(formatting.date_text, locale=locale),
            "number": partial(formatting.number_text, locale=locale),
            "percent": partial(formatting.percent_text, locale=locale),
            "quoted": quoted,
        }
    )
    return env


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

    return f"followup {__version__}, jinja2 {jinja2.__version__}, {sorted(_OPTIONS.items())}"


@cache
def _globals(template: Template) -> dict[str, Any]:
    """The template's globals (`namespace`, ...) as one dict (Jinja chains two per render)."""
    return dict(template.globals)


def render(template: Template, context: Mapping[str, Any], name: str) -> str:
    """Render with `context`; an unknown name or a sandbox violation names the template."""
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import new_context

    try:  # Template.render(context), without copying the context twice and globals thrice
        env, names = template.environment, _globals(template)
        scope = new_context(env, template.name, template.blocks, {**names, **context}, True, names)
        return env.concat(template.root_render_func(scope))
    except UndefinedError as exc:
        raise TemplateError(f"{name}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{name}: not allowed in a template ({exc})") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"{name}: {exc}") from None
