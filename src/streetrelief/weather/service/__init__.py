"""Use cases of the weather domain: stored CAP alerts (``alerts``) and stored observations and
forecasts (``observations``). Callers import them from here."""

from streetrelief.weather.schemas import MAX_OBSERVATIONS_PAGE
from streetrelief.weather.service.alerts import (
    CAP_FILE_SUFFIX,
    MAX_CAP_FILE_BYTES,
    SEVERITY_ORDER,
    ingest_alert_bytes,
    ingest_alerts,
    ingest_path,
    list_alerts,
    require_alert,
    stored_entries,
    warnings_in_force,
)
from streetrelief.weather.service.observations import (
    IMPORT_BATCH_ROWS,
    earlier_night_minimums,
    import_observations,
    latest_conditions,
    list_observations,
)

__all__ = [
    "CAP_FILE_SUFFIX",
    "IMPORT_BATCH_ROWS",
    "MAX_CAP_FILE_BYTES",
    "MAX_OBSERVATIONS_PAGE",
    "SEVERITY_ORDER",
    "earlier_night_minimums",
    "import_observations",
    "ingest_alert_bytes",
    "ingest_alerts",
    "ingest_path",
    "latest_conditions",
    "list_alerts",
    "list_observations",
    "require_alert",
    "stored_entries",
    "warnings_in_force",
]
