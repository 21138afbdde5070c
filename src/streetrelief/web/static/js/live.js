// Live updates from the server-sent event stream, resuming after a dropped connection.
import { config, t } from "./common.js";

const RETRY_MS = 2000;

/** Event types that change what the console shows (see the domains' `emit` calls). */
export const INCIDENT_EVENTS = [
  "incident.opened", "incident.report_merged", "incident.triaged", "incident.dispatched",
  "dispatch.assigned", "incident.en_route", "incident.on_scene", "incident.resolved",
  "incident.not_found", "incident.cancelled", "encounter.recorded",
];
export const TEAM_EVENTS = ["team.created", "team.updated", "team.status_changed"];
export const SERVICE_POINT_EVENTS = ["service_point.created", "service_point.updated"];
export const HOTSPOT_EVENTS = ["hotspot.created", "hotspot.updated", "check_in.created"];
export const LEVEL_EVENTS = ["response.level_changed"];

/**
 * Follow `/api/v1/events` from the event the page's data was read at (`config.lastEventId`),
 * calling `onEvent(event)` for each committed event of the given `types`, in order. The browser
 * resends the last id it saw (`Last-Event-ID`) when it reconnects by itself; when the stream is
 * closed for good (server restarted, an error answer) we reopen it with `after=` that id, so
 * no event is missed and none is handled twice.
 */
export function followEvents(types, onEvent, { region = config.regionCode } = {}) {
  let lastId = config.lastEventId || 0;
  const state = document.getElementById("live-state");
  const show = (ok) => {
    if (!state) return;
    state.textContent = ok ? t("live.connected") : t("live.reconnecting");
    state.dataset.ok = ok ? "1" : "0";
  };
  const handle = (message) => {
    const id = Number(message.lastEventId);
    if (id && id <= lastId) return;
    if (id) lastId = id;
    onEvent(JSON.parse(message.data));
  };
  const open = () => {
    const params = new URLSearchParams({ after: String(lastId) });
    if (region) params.set("region_code", region);
    const source = new EventSource(`/api/v1/events?${params}`);
    source.onopen = () => show(true);
    for (const type of types) source.addEventListener(type, handle);
    source.onerror = () => {
      show(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(open, RETRY_MS);
    };
  };
  open();
}
