"""The manager's segment rules file, validated strictly.

```yaml
scheme: classic            # or cn8
rename:                    # segment id -> the name your team uses
  cannot_lose_them: vip_slipping
grid:                      # classic only: rows R5..R1, five FM columns each
  5: [new_customers, potential_loyalist, potential_loyalist, champions, champions]
cells:                     # cn8 only: R/F/M high-low code -> segment id
  HLH: important_develop
labels:                    # optional display label per (renamed) segment
  vip_slipping: 大客户流失预警
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from followup.analysis.segments import PROSPECT, SCHEMES, Rules, default_rules
from followup.errors import ConfigError
from followup.settings import describe_validation

_CN8_CODES = {a + b + c for a in "HL" for b in "HL" for c in "HL"}


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: str = "classic"
    rename: dict[str, str] = {}
    grid: dict[int, list[str]] | None = None
    cells: dict[str, str] | None = None
    labels: dict[str, str] = {}

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value not in SCHEMES:
            raise ValueError(f"expected one of {', '.join(SCHEMES)}")
        return value

    @field_validator("grid")
    @classmethod
    def _grid(cls, value: dict[int, list[str]] | None) -> dict[int, list[str]] | None:
        if value is None:
            return None
        if set(value) != {1, 2, 3, 4, 5}:
            raise ValueError("needs rows 5, 4, 3, 2 and 1 (R score)")
        for row, names in value.items():
            if len(names) != 5:
                raise ValueError(f"row {row} needs 5 segments (FM 1..5), got {len(names)}")
        return value

    @field_validator("cells")
    @classmethod
    def _cells(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        unknown = set(value) - _CN8_CODES
        if unknown:
            raise ValueError(f"unknown cell {sorted(unknown)[0]!r}: use codes like HHH, HLH, LLL")
        return {k.upper(): v for k, v in value.items()}


def parse_rules(data: Any, source: str) -> Rules:
    try:
        spec = RulesFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation(exc)}") from None
    base = default_rules(spec.scheme)
    if spec.scheme == "classic" and spec.cells:
        raise ConfigError(f"{source}: cells: only for scheme cn8 (classic uses grid)")
    if spec.scheme == "cn8" and spec.grid:
        raise ConfigError(f"{source}: grid: only for scheme classic (cn8 uses cells)")
    grid = {r: tuple(row) for r, row in spec.grid.items()} if spec.grid else base.classic_grid
    cells = {**base.cn8_cells, **(spec.cells or {})}
    drawn = {*(s for row in grid.values() for s in row), *cells.values(), PROSPECT}
    unknown = sorted(set(spec.rename) - drawn)
    if unknown:
        raise ConfigError(
            f"{source}: rename.{unknown[0]}: no such segment in the {spec.scheme} scheme"
        )
    return Rules(spec.scheme, grid, cells, dict(spec.rename), dict(spec.labels))


def load_rules(path: Path) -> Rules:
    """Read a rules YAML file (see docs/segments.md for the format)."""
    import yaml

    from followup.files import load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the rules file ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    return parse_rules(data, str(path))
