"""The user's cache folder: compiled templates that later runs load instead of compiling.

`FOLLOWUP_CACHE_DIR` sets the folder (set but empty: no cache). By default it is the
platform's cache folder: `$XDG_CACHE_HOME/followup` or `~/.cache/followup` on Linux,
`~/Library/Caches/followup` on macOS, `%LOCALAPPDATA%\\followup\\Cache` on Windows.
Everything in it can be deleted at any time; a cache that cannot be read or written is
skipped, never an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CACHE_DIR_VARIABLE = "FOLLOWUP_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder (it may not exist yet), or None for no cache."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no password entry
        return None
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "followup" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "followup"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else home / ".cache") / "followup"
