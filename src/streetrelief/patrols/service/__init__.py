"""Use cases of patrolling, one module each: the register, planning, check-ins, coverage.

Teams, response levels, reports and regions are asked through their own services; the rules
are in :mod:`streetrelief.patrols.logic`, the solver in :mod:`streetrelief.patrols.routing`,
OSM reading in :mod:`streetrelief.patrols.osm`.
"""
