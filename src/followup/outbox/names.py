"""Draft file names: one per draft key, the same on every disk and every system.

A name must be distinct from every other key's even where the disk ignores case (macOS,
Windows) and valid on Windows (no `<>:"/\\|?*`, no device names such as `CON` or `COM1`
before the first dot, no trailing dot or space). A key is used as it is when that is safe:
`[A-Za-z0-9._-]` only, no lowercase letter (a CRM's ids are `C1042`, `00123`,
`CUST-0042`: the campaign and channel that follow are lowercase and fixed), not hidden,
no device name. Any other key becomes its safe characters plus a hash of the key itself,
so `c1` and `C1`, or `客户/1` and `客户_1`, never share a file.
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_LOWER = re.compile(r"[a-z]")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
MAX_NAME = 120
_TOUCH = re.compile(r"\.t[0-9]+$")


def safe_name(key: str) -> str:
    """The file name (without suffix) of a draft key."""
    name = _UNSAFE.sub("_", key)
    if name.startswith("."):
        name = "_" + name[1:]
    # campaign and channel are lowercase words, and so is a later touch's `.t2`
    customer_id = _TOUCH.sub("", key).rsplit(".", 2)[0]
    plain = (
        name == key
        and len(name) <= MAX_NAME
        and not _LOWER.search(customer_id)
        and key.split(".", 1)[0].upper() not in _WINDOWS_DEVICES
        and not key.endswith((".", " "))
    )
    if plain:
        return name
    if name.split(".", 1)[0].upper() in _WINDOWS_DEVICES:
        name = "_" + name
    return f"{name[:100].rstrip('. ')}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


_NOT_IN_FOLDER_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def folder_name(name: str) -> str:
    """A folder name for a person (`Amy Zhao`, `陈莉`) that is valid on Windows: the
    characters Windows refuses become `_`, no trailing dot or space, no device name."""
    folder = _NOT_IN_FOLDER_NAMES.sub("_", " ".join(name.split())).rstrip(". ") or "_"
    if folder.split(".", 1)[0].upper() in _WINDOWS_DEVICES:
        folder = "_" + folder
    return folder[:MAX_NAME]
