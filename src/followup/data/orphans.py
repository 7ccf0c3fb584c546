"""Customer ids of one table that the customers file does not list ("orphans").

An order line whose customer is not in the customers file still counts (RFM is about
orders), but its customer has no name, owner or contact: a note says how many and which,
and, when an orphan is a listed id written another way, which one. Excel turns `00123`
into `123`; a CRM export pads ids, a hand-kept sheet does not; ids pick up spaces,
full-width digits or another case. Ids are compared after NFKC normalisation,
upper-casing, removing spaces and dropping leading zeros of every run of digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

#: orphans named in a note; the others are counted
SHOWN = 10


def orphan_note(
    ids: pa.ChunkedArray | pa.Array,
    rows: pa.ChunkedArray | pa.Array,
    known: pa.Array,
    *,
    file: str,
    customers: str,
    lines: tuple[str, str],
    consequence: str,
) -> list[str]:
    """A note on the `ids` (source `rows`) that are not in `known`, or none.

    `lines` names one and several records (`("order line", "order lines")`);
    `consequence` says what becomes of them (", so those customers have no name").
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from followup.data.parsing import flags, numbers

    missing = ~flags(pc.is_in(ids, value_set=known))
    if not missing.any():
        return []
    orphans = ids.filter(pa.array(missing)).cast(pa.string())
    if isinstance(orphans, pa.ChunkedArray):
        orphans = orphans.combine_chunks()
    encoded = pc.dictionary_encode(orphans)
    # every code occurs (the dictionary is of these cells): code i's first cell and count
    _, first, counts = np.unique(numbers(encoded.indices), return_index=True, return_counts=True)
    names: list[str] = encoded.dictionary.to_pylist()
    matches = _matches(encoded.dictionary, known)
    source_rows = numbers(rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows)
    first_rows = source_rows[np.flatnonzero(missing)][first]
    order = sorted(range(len(names)), key=lambda i: (matches[i] is None, first_rows[i]))
    shown = [_describe(names[i], int(first_rows[i]), matches[i]) for i in order[:SHOWN]]
    if len(names) > SHOWN:
        shown.append(f"and {len(names) - SHOWN:,} more")
    n_lines = int(counts.sum())
    record = lines[0] if n_lines == 1 else lines[1]
    verb, noun = ("is", "customer id") if len(names) == 1 else ("are", "customer ids")
    return [
        f"{file}: {len(names):,} {noun} ({n_lines:,} {record}) {verb} not in {customers}"
        f"{consequence}: {', '.join(shown)}"
    ]


def id_key(ids: pa.Array) -> pa.Array:
    """Ids as compared for a near match: `C 00123`, `c123` and `Ｃ１２３` are all `C123`."""
    import pyarrow.compute as pc

    key = pc.utf8_upper(pc.utf8_normalize(ids, "NFKC"))
    key = pc.replace_substring_regex(key, r"\s+", "")
    return pc.replace_substring_regex(key, r"(^|\D)0+(\d)", r"\1\2")


def _matches(orphans: pa.Array, known: pa.Array) -> list[str | None]:
    """For each orphan, the listed id it matches once written the same way, if any."""
    import pyarrow.compute as pc

    found = pc.index_in(id_key(orphans), value_set=id_key(known))
    return [None if i is None else known[i].as_py() for i in found.to_pylist()]


def _describe(orphan: str, row: int, match: str | None) -> str:
    if match is None:
        return f'"{orphan}" (row {row})'
    return f'"{orphan}" (row {row}; "{match}" there, {_how(orphan, match)})'


def _how(orphan: str, match: str) -> str:
    """Which writing makes `orphan` the listed `match`."""
    import unicodedata

    bare_orphan, bare_match = (
        "".join(unicodedata.normalize("NFKC", i).split()).upper() for i in (orphan, match)
    )
    zeros = bare_match.count("0") - bare_orphan.count("0")
    if zeros == 0:
        return "written with other spaces, width or case"
    return "zero-padded" if zeros > 0 else "leading zeros trimmed"
