"""A template or prompt that never ends, or makes gigabytes, stops with a TemplateError
that names it: `templates lint` reports it, a batch fails that draft and goes on."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from followup.drafting import bounds
from followup.drafting.sandbox import compile_template, render
from followup.errors import TemplateError
from tests.conftest import run, write
from tests.test_library import GOOD  # the test template, its body to fill

NEVER_ENDS = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}"
)
STEPS = (
    "stopped after 100,000 loop steps and calls: a template must not loop that much "
    "(loops nested over range()?)"
)
TEXT = "stopped at 1,000,000 characters: a template must not make that much text"


def rendered(source: str, context: dict[str, object] | None = None, name: str = "t") -> str:
    return render(compile_template(source, "en", name), context or {}, name)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (NEVER_ENDS, STEPS),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", STEPS),
        ("{% set l = [1] %}{% for i in l %}{% for j in range(100000) %}{% endfor %}{% endfor %}", STEPS),
        ("{% for x in range(1000) recursive %}{{ loop(range(1000)) }}{% endfor %}", "a macro or loop calls itself too deeply"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "a macro or loop calls itself too deeply"),
        ("{{ 'x' * 10**9 }}", TEXT),
        ("{{ 10**9 * ['x'] }}", TEXT),
        ("{{ 10 ** (10 ** 10) }}", "** would make a number of more than 4096 bits"),
        ("{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}", "* would make a number of more than 4096 bits"),
        ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", TEXT),
        ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", TEXT),
        ("{{ 'a'" + "|replace('a', 'aaaaaaaaaa')" * 12 + " }}", TEXT),
        ("{% set s = 'a' * 1000 %}{{ s.replace('a', s).replace('a', s) }}", TEXT),
        ("{{ 'x'|center(10**9) }}", "1,000,000,000 is too large a number for a template (at most 1,000,000)"),
        ("{{ 'x'.ljust(10**9) }}", "1,000,000,000 is too large a number for a template (at most 1,000,000)"),
        ("{{ '%999999999d' % 1 }}", TEXT),
        ("{{ '%999999999d'|format(1) }}", TEXT),
        ("{{ '{:>999999999}'.format(1) }}", TEXT),
        ("{{ '{a:>999999999}'.format_map({'a': 1}) }}", TEXT),
        ("{% set s = 'x' * 100000 %}{{ ([s] * 100000)|select|join }}", TEXT),
        ("{% set s = 'x' * 900000 %}{% for i in range(9) %}{{ s }}{% endfor %}", TEXT),
        ("{% set s = 'x' * 900000 %}{% set b %}{% for i in range(9) %}{{ s }}{% endfor %}{% endset %}", TEXT),
        ("{% for i in range(1000) %}" + "z" * 10_000 + "{% endfor %}", TEXT),
        ("{% set s = 'y' * 500000 %}{% macro m() %}{{ s }}{% endmacro %}{% set l = [] %}{% for i in range(9) %}{{ l.append(m()) or '' }}{% endfor %}", TEXT),
        ("{% set s = 'x' * 100000 %}{{ ([s] * 1000)|tojson }}", TEXT),
        ("{{ ('\t' * 100000).expandtabs(1000) }}", TEXT),
        ("{{ ([[1]] * 100000)|sum(start=[])|length }}", TEXT),
        ("{{ lipsum(100000) }}", "'lipsum' is undefined"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{{ 'x'|truncate(10, end='y' * 99) }}", "expected length >= 99, got 10"),
    ],
)  # fmt: skip
def test_a_template_that_would_hang_or_explode_stops_with_its_name(
    source: str, problem: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(TemplateError) as caught:
        rendered(source, name="attack")
    assert str(caught.value) == f"attack: {problem}"
    assert time.perf_counter() - started < 5


def test_constant_folding_does_not_run_a_bomb_at_compile_time() -> None:
    started = time.perf_counter()
    template = compile_template("{{ 'x'|center(10**9) }}{{ 9 ** 9 ** 9 ** 9 }}", "en", "fold")
    assert time.perf_counter() - started < 1
    with pytest.raises(TemplateError):
        render(template, {}, "fold")


def test_ordinary_templates_render_as_before() -> None:
    source = (
        "{% set ns = namespace(items=[]) %}{% for p in products if p != 'b' %}"
        "{% set ns.items = ns.items + [p|upper] %}{% endfor %}"
        "{{ ns.items|join(', ') }}; {{ '%s-%03d' % ('x', 7) }}; {{ '{:>4}'.format(1) }}; "
        "{% for k, v in facts.items() %}{{ loop.index }}:{{ k }}={{ v }}{% if not loop.last %},"
        "{% endif %}{% endfor %}; {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ 'a' ~ 'b' }}"
    )
    context = {"products": ["a", "b", "c"], "facts": {"x": 1, "y": 2}}
    assert rendered(source, context) == "A, C; x-007;    1; 1:x=1,2:y=2; 1024 ababab ab"


def test_a_loop_over_its_own_growing_list_ends() -> None:
    source = "{% set l = [1] %}{% for i in l %}{{ l.append(1) or '' }}{% endfor %}{{ l|length }}"
    assert rendered(source) == "2"


def test_a_slow_template_stops_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_SECONDS", 0.05)
    slow = "{% for i in range(99000) %}{{ (range(300)|list|sort|first) * 0 }}{% endfor %}"
    with pytest.raises(TemplateError) as caught:
        rendered(slow, name="slow")
    assert str(caught.value) == (
        "slow: stopped after 0.05 s of rendering: a template must render in well under a second"
    )


def test_after_three_renders_over_budget_a_template_fails_at_once() -> None:
    hits: list[int] = []

    class Probe:
        def hit(self) -> str:
            hits.append(1)
            return ""

    template = compile_template("{{ probe.hit() }}" + NEVER_ENDS, "en", "probe")
    for _ in range(5):
        with pytest.raises(TemplateError) as caught:
            render(template, {"probe": Probe()}, "probe")
        assert str(caught.value) == f"probe: {STEPS}"
    assert len(hits) == 3  # the last two never ran


def test_each_thread_has_its_own_budget() -> None:
    template = compile_template("{% for i in range(60000) %}{% endfor %}ok", "en", "half")
    results: list[str] = []

    def work() -> None:
        results.extend(render(template, {}, "half") for _ in range(3))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok"] * 12  # 60,000 steps each: two renders sharing one would stop


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", str(tmp_path / "ws"), "--sample")
    root = tmp_path / "ws"
    write(
        root / "templates" / "urgency" / "hang-email-en.j2",
        GOOD.format(id="hang-email-en", body=NEVER_ENDS),
    )
    return root


def test_templates_lint_reports_a_template_that_never_ends(workspace: Path) -> None:
    started = time.perf_counter()
    result = run("templates", "lint", "--workspace", str(workspace), ok=False)
    assert time.perf_counter() - started < 30
    assert result.exit_code == 2
    assert (
        f"hang-email-en: error: fails for C1001: hang-email-en: {STEPS} [render]\n" in result.stdout
    )
    assert result.stderr.endswith(
        "Error: the library has errors (listed above): fix them, then lint again\n"
    )


def test_a_batch_fails_the_drafts_of_a_template_that_never_ends_and_goes_on(
    workspace: Path, tmp_path: Path
) -> None:
    for other in (workspace / "templates").rglob("*.j2"):
        assert other.name == "hang-email-en.j2"
    args = (
        "batch",
        "--campaign",
        "urgency",
        "--workspace",
        str(workspace),
        "--as-of",
        "2026-11-22",
    )
    result = run(
        *args,
        "--allow-unapproved",
        "--lang",
        "en",
        "--limit",
        "6",
        "--out",
        str(tmp_path / "o"),
        ok=False,
    )
    assert result.exit_code == 1
    assert "failed (6): hang-email-en" in result.stdout  # grouped by the template, or in full
    assert result.stderr.endswith("Error: 6 drafts failed (listed above)\n")


def test_a_prompt_that_never_ends_stops_with_its_name(workspace: Path) -> None:
    shipped = Path(__file__).parent.parent / "prompts" / "thanks.j2"
    text = shipped.read_text(encoding="utf-8").replace(
        "{% block user %}", "{% block user %}" + NEVER_ENDS, 1
    )
    prompt = write(workspace / "prompts" / "thanks.j2", text)
    args = ("prompts", "show", "thanks", "--customer", "C1001", "--workspace", str(workspace))
    result = run(*args, "--as-of", "2026-11-22", ok=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {prompt}: {STEPS}"
