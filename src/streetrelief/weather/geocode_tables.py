"""Geocode tables: which region a CAP ``<geocode>`` value names, per issuing system, as data.

A table is a YAML file naming the geocode systems (CAP ``valueName``s such as ``ISO3166-2``,
``EMMA_ID``, ``UGC`` or ``Taiwan_Geocode_103``) it covers, with either ``identity: true`` (the
value, after an optional ``prefix``, is the region code itself) or ``codes`` (value → region
code), or both (``codes`` first). The shipped tables sit in ``streetrelief/weather/geocodes``;
users add theirs in the folder of setting ``STREETRELIEF_GEOCODE_TABLES_DIR``, read after the
shipped ones so that their entries win. Looking the regions up is left to the weather service.

Example (``my_emma.yaml``)::

    systems: [EMMA_ID]
    codes:
      UK004: "GB-NIR"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streetrelief.core.errors import PolicyError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml

SHIPPED_TABLES = "geocodes"
"""Folder of the shipped tables inside the ``streetrelief.weather`` package."""


class GeocodeTableFile(BaseModel):
    """The content of one geocode table file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: list[str] = Field(min_length=1, description="CAP geocode valueNames covered.")
    identity: bool = Field(False, description="The value (after prefix) is the region code.")
    prefix: str = Field("", description="Prepended to the value when `identity` is true.")
    codes: dict[str, str] = Field(default_factory=dict, description="value -> region code.")


@dataclass(frozen=True, slots=True)
class _System:
    identity: bool = False
    prefix: str = ""
    codes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GeocodeTables:
    """Geocode systems known to streetrelief and how each value maps to a region code."""

    systems: Mapping[str, _System] = field(default_factory=dict)

    def knows(self, system: str) -> bool:
        """Whether a table covers the geocode system ``system`` (a CAP valueName)."""
        return system.strip() in self.systems

    def region_code(self, system: str, value: str) -> str | None:
        """The region code that ``value`` of ``system`` names, or None when the table has none.

        Surrounding whitespace of both is ignored (CAP values often carry it).
        """
        entry = self.systems.get(system.strip())
        if entry is None:
            return None
        value = value.strip()
        if value in entry.codes:
            return entry.codes[value]
        return f"{entry.prefix}{value}" if entry.identity and value else None


def load_geocode_tables(extra_dir: Path | None = None) -> GeocodeTables:
    """Read the shipped geocode tables, then every ``*.yaml`` in ``extra_dir`` (by name).

    A later file's ``codes`` add to and override an earlier one's for the same system, and its
    ``identity``/``prefix`` replace them.

    Raises:
        PolicyError: a table file is not valid YAML or does not have the shape above.
        OSError: ``extra_dir`` cannot be read.
    """
    shipped = resources.files("streetrelief.weather").joinpath(SHIPPED_TABLES)
    files: list[Traversable | Path] = sorted(
        (f for f in shipped.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name
    )
    if extra_dir is not None:
        files.extend(sorted(extra_dir.glob("*.yaml")))
    return _merge((f.name, _read(f)) for f in files)


def _read(file: Traversable | Path) -> GeocodeTableFile:
    try:
        return GeocodeTableFile.model_validate(load_yaml(file.read_text(encoding="utf-8")))
    except YAMLFileError as exc:
        raise PolicyError(f"geocode table {file.name}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise PolicyError(f"geocode table {file.name}: {where}: {problem['msg']}") from exc


def _merge(tables: Iterable[tuple[str, GeocodeTableFile]]) -> GeocodeTables:
    systems: dict[str, _System] = {}
    for _name, table in tables:
        for system in table.systems:
            before = systems.get(system.strip(), _System())
            systems[system.strip()] = _System(
                identity=table.identity,
                prefix=table.prefix,
                codes={**before.codes, **{k.strip(): v for k, v in table.codes.items()}},
            )
    return GeocodeTables(systems=systems)
