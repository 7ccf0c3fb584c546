"""Email addresses and WhatsApp numbers as CRM exports hold them.

A CRM's email cell may hold one address, several (`ana@x.com; compras@x.com`, also with
`,`, `/`, spaces or a new line between them), `Name <address>`, or a broken one
(`chinedu@lagospower`). `email_cell` tells them apart: a draft goes to the first usable
address, and one that has none cannot be drafted. The rules are the ones the `.eml`
writer needs: a dot-atom local part (RFC 5322) and a domain of two or more labels that
IDNA can encode (`例子.公司` is fine, as `xn--fsqu00a.xn--55qx5d`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
DOMAIN = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$")
_SEPARATORS = re.compile(r"[;,/\s|；，、]+")
_ANGLE = re.compile(r"<([^<>]*)>")
MIN_PHONE_DIGITS = 7  # a WhatsApp number has a country code and a subscriber number


@dataclass(frozen=True)
class EmailCell:
    """What an email cell holds: its usable addresses (first one first) and the rest."""

    usable: tuple[str, ...]
    broken: tuple[str, ...]

    @property
    def address(self) -> str:
        """The address a draft goes to ("" when there is none)."""
        return self.usable[0] if self.usable else ""


def email_cell(cell: str) -> EmailCell:
    """Split an email cell into usable and broken addresses (order kept)."""
    text = _ANGLE.sub(lambda m: f" {m.group(1)} ", cell or "")
    usable: list[str] = []
    broken: list[str] = []
    for part in _SEPARATORS.split(text.strip()):
        token = part.strip().strip("\"'()[]")
        if "@" in token:  # words without one are a name around the addresses
            (usable if ascii_email(token) else broken).append(token)
    return EmailCell(tuple(dict.fromkeys(usable)), tuple(broken))


@lru_cache(maxsize=4096)
def ascii_email(address: str) -> str | None:
    """The address with its domain IDNA-encoded, or None when it is not usable."""
    local, at, domain = address.strip().rpartition("@")
    if not (at and LOCAL_PART.match(local)):
        return None
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return f"{local}@{ascii_domain}" if DOMAIN.match(ascii_domain) else None


def phone_digits(cell: str) -> str:
    """The digits of a phone number (full-width ones too), a leading international `00`
    dropped: what wa.me wants."""
    digits = "".join(str(unicodedata.decimal(c)) for c in cell or "" if c.isdecimal())
    return digits.removeprefix("00")


def usable_phone(cell: str) -> bool:
    return len(phone_digits(cell)) >= MIN_PHONE_DIGITS
