"""Mark the regions an LLM may rewrite in templates that have none yet.

    python scripts/mark_regions.py templates/

The opening: the prose after a one-line greeting, up to the first fact list or loop; the
closing: the paragraph before the sign-off, when it is prose. Each is wrapped in
`{% block opening %}` / `{% block closing %}`, and the header gains `regions:` (with
`subject` for an email). The rendered drafts do not change (block tags vanish when
rendered); templates where a region does not fit are left for a manager to mark by hand.
Review `git diff`, then approve (`scripts/approve_shipped.py`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_CONSTRUCT = re.compile(r"\{%-?\s*(if|for|endif|endfor)\b")


def paragraphs(lines: list[str]) -> list[list[int]]:
    """Line numbers of each paragraph (runs of non-empty lines)."""
    found: list[list[int]] = []
    current: list[int] = []
    for number, line in enumerate(lines):
        if line.strip():
            current.append(number)
        elif current:
            found.append(current)
            current = []
    return [*found, current] if current else found


def is_text(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("{%", "{#"))


def is_facts(line: str) -> bool:
    """A fact list or a loop starts: prose a writer may rephrase ends before it."""
    return line.lstrip().startswith(("- ", "• ")) or "{% for" in line


def prose_prefix(lines: list[str]) -> int:
    """How many leading lines are prose that closes every construct it opens (0: none)."""
    depth, best = 0, 0
    for count, line in enumerate(lines, start=1):
        if is_facts(line):
            return best
        for match in _CONSTRUCT.finditer(line):
            depth += 1 if match.group(1) in ("if", "for") else -1
            if depth < 0:
                return best
        if depth == 0:
            best = count
    return best


def regions_of(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Region name -> (first line, last line) of the body."""
    paras = paragraphs(lines)
    greet = next(i for i, p in enumerate(paras) if any(is_text(lines[j]) for j in p))
    found: dict[str, tuple[int, int]] = {}
    only_greeting = [j for j in paras[greet] if is_text(lines[j])] == [paras[greet][-1]]
    if only_greeting and greet + 1 < len(paras) - 1:
        para = paras[greet + 1]
        cut = prose_prefix([lines[j] for j in para])
        if cut and any(is_text(lines[j]) for j in para[:cut]):
            found["opening"] = (para[0], para[cut - 1])
    closing = len(paras) - 2  # the paragraph before the sign-off
    if closing > greet + (1 if found else 0):
        para = paras[closing]
        if prose_prefix([lines[j] for j in para]) == len(para):
            found["closing"] = (para[0], para[-1])
    return found


def mark(path: Path) -> list[str] | None:
    """Mark one template's regions; the regions it got (None: it had some already)."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^(---\s*\n)(.*?)(\n---\s*\n)(.*)$", text, re.DOTALL)
    if match is None or "\nregions:" in f"\n{match.group(2)}":
        return None
    head, header, separator, body = match.groups()
    lines = body.split("\n")
    found = regions_of(lines)
    marked: list[str] = []
    for number, line in enumerate(lines):
        for name, (first, _) in found.items():
            if number == first:
                marked.append(f"{{% block {name} %}}")
        marked.append(line)
        if any(last == number for _, last in found.values()):
            marked.append("{% endblock %}")
    names = (["subject"] if "\nchannel: email" in f"\n{header}" else []) + list(found)
    listed = f"regions: [{', '.join(names)}]"
    header = re.sub(r"(?m)^(loss_reasons: .*)$", lambda m: f"{m.group(1)}\n{listed}", header)
    path.write_text(head + header + separator + "\n".join(marked), encoding="utf-8")
    return names


def main() -> int:
    for path in sorted(Path(sys.argv[1]).rglob("*.j2")):
        names = mark(path)
        if names is not None:
            print(f"{path.name}: {', '.join(names) or '(none: mark them by hand)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
