// The dispatcher console: live map and incident queue sorted by priority, with timers.
import { api, config, el, elapsed, notify, t } from "./common.js";
import { showLevel } from "./banner.js";
import {
  HOTSPOT_EVENTS, INCIDENT_EVENTS, LEVEL_EVENTS, SERVICE_POINT_EVENTS, TEAM_EVENTS, followEvents,
} from "./live.js";
import { consoleLayers, createMap, drawLayers, layerControl } from "./map.js";

const ARRIVED = new Set(["on_scene", "resolved", "not_found", "cancelled"]);

const queueBody = document.getElementById("queue");

function isOverdue(incident, now) {
  if (!incident.response_target_s || ARRIVED.has(incident.status)) return false;
  return now - Date.parse(incident.first_reported_at) > incident.response_target_s * 1000;
}

function row(incident, now) {
  const prio = incident.priority || "none";
  const tr = el("tr", { dataset: { id: incident.id, since: incident.first_reported_at }, class: isOverdue(incident, now) ? "overdue" : null },
    el("td", {}, el("span", { class: `prio prio-${prio}` }, t(`priority.${prio}`))),
    el("td", {}, el("a", { href: `/console/incidents/${incident.id}` }, `#${incident.id}`), " ",
      el("span", { class: "muted" }, t("queue.people", { count: incident.people_count }))),
    el("td", {}, t(`status.${incident.status}`)),
    el("td", { class: "timer" }, elapsed(incident.first_reported_at, now)),
  );
  tr.incident = incident;
  return tr;
}

/** The queue as the server orders it (priority, then waiting longest), with the open count. */
async function loadQueue() {
  // The server's default length (300 rows); the map shows every open incident.
  const region = config.regionCode ? `?region_code=${encodeURIComponent(config.regionCode)}` : "";
  const { total, items } = await api(`/incidents/queue${region}`);
  const now = Date.now();
  queueBody.replaceChildren(...items.map((i) => row(i, now)));
  const count = t("queue.count", { count: total });
  document.getElementById("queue-count").textContent =
    total > items.length ? `${count} · ${t("queue.showing", { shown: items.length })}` : count;
}

let queueLoading = null;
let queueStale = false;

/** Reload the queue after a change; changes arriving meanwhile make one more reload. */
function refreshQueue() {
  if (queueLoading) {
    queueStale = true;
    return;
  }
  queueLoading = loadQueue()
    .catch((error) => notify(t("error.load", { detail: error.message }), "error"))
    .finally(() => {
      queueLoading = null;
      if (queueStale) {
        queueStale = false;
        refreshQueue();
      }
    });
}

function tick() {
  const now = Date.now();
  for (const tr of queueBody.rows) {
    tr.cells[3].textContent = elapsed(tr.dataset.since, now);
    const overdue = isOverdue(tr.incident, now);
    tr.classList.toggle("overdue", overdue);
    tr.cells[3].setAttribute("aria-label", overdue ? t("queue.overdue") : "");
  }
}

async function main() {
  const map = createMap(document.getElementById("map"));
  const control = layerControl(map);
  const specs = consoleLayers();
  const layers = {};
  try {
    // The queue and the incidents' markers first, side by side: they make the console usable
    // (the queue alone comes sooner); the background and the other layers follow.
    const [incidentLayers] = await Promise.all([
      drawLayers(map, specs.filter((s) => s.id === "incidents"), control),
      loadQueue().then(() => performance.mark("console-queue")),
    ]);
    Object.assign(layers, incidentLayers);
    document.body.dataset.ready = "1";
    performance.mark("console-ready"); // first usable (bench/console.py)
    Object.assign(layers, await drawLayers(map, specs.filter((s) => s.id !== "incidents"), control));
  } catch (error) {
    notify(t("error.load", { detail: error.message }), "error");
    return;
  }
  const incidents = layers.incidents;
  setInterval(tick, 1000);
  showLevel();

  let pending = Promise.resolve();
  const bySubject = Object.fromEntries(specs.filter((s) => s.subject).map((s) => [s.subject, layers[s.id]]));
  const types = [...INCIDENT_EVENTS, ...TEAM_EVENTS, ...SERVICE_POINT_EVENTS, ...HOTSPOT_EVENTS, ...LEVEL_EVENTS];
  followEvents(types, (event) => {
    if (event.type.startsWith("response.")) {
      showLevel();
      return;
    }
    const layer = bySubject[event.subject];
    if (!layer) return;
    // One reload at a time, in event order, so an older answer never overwrites a newer one.
    pending = pending.then(async () => {
      try {
        layer.put(await layer.spec.reload(event.subject_id));
        if (layer === incidents) refreshQueue();
      } catch (error) {
        notify(t("error.load", { detail: error.message }), "error");
      }
    });
  });
}

main();
