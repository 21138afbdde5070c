"""Active discovery: hotspots, the visits they need, patrol plans, check-ins and coverage."""
