"""Road-network travel times from an OpenStreetMap extract (see ``RoadNetworkTravel``)."""

from streetrelief.routing.provider import NetworkSummary, RoadNetworkTravel

__all__ = ["NetworkSummary", "RoadNetworkTravel"]
