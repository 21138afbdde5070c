"""CAP 1.2 alert messages: safe parsing and the frozen data they become.

The package owns reading CAP from bytes (`parse_cap`, `parse_atom_index`) and the shape of a
parsed alert (`CapAlert` and its parts); fetching feeds, storing alerts and acting on them
belong to the weather services and jobs.
"""

from streetrelief.weather.cap.models import (
    AtomEntry,
    CapAlert,
    CapArea,
    CapCircle,
    CapInfo,
    CapReference,
)
from streetrelief.weather.cap.parse import (
    is_atom_feed,
    parse_atom_entries,
    parse_atom_index,
    parse_cap,
    parse_cap_entries,
)

__all__ = [
    "AtomEntry",
    "CapAlert",
    "CapArea",
    "CapCircle",
    "CapInfo",
    "CapReference",
    "is_atom_feed",
    "parse_atom_entries",
    "parse_atom_index",
    "parse_cap",
    "parse_cap_entries",
]
