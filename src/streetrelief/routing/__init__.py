"""Road-network travel times from an OpenStreetMap extract (see ``RoadNetworkTravel``).

``RoadNetworkTravel`` and ``NetworkSummary`` load on first use, with scipy and pyrosm, so that
importing ``streetrelief.routing.configured`` stays cheap when no road network is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streetrelief.routing.provider import NetworkSummary, RoadNetworkTravel

__all__ = ["NetworkSummary", "RoadNetworkTravel"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from streetrelief.routing import provider  # noqa: PLC0415 - the lazy load itself

        return getattr(provider, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
