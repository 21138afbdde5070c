// The dispatcher console: live map and incident queue sorted by priority, with timers.
import { config, el, elapsed, notify, t } from "./common.js";
import { showLevel } from "./banner.js";
import {
  HOTSPOT_EVENTS, INCIDENT_EVENTS, LEVEL_EVENTS, SERVICE_POINT_EVENTS, TEAM_EVENTS, followEvents,
} from "./live.js";
import { consoleLayers, createMap, drawLayers, layerControl } from "./map.js";

const PRIORITY_ORDER = { critical: 0, high: 1, normal: 2, low: 3 };
const QUEUE_ROWS = 300; // rows drawn; the map shows every open incident
const ARRIVED = new Set(["on_scene", "resolved", "not_found", "cancelled"]);

const queueBody = document.getElementById("queue");

function byUrgency(a, b) {
  const pa = PRIORITY_ORDER[a.priority] ?? 4, pb = PRIORITY_ORDER[b.priority] ?? 4;
  return pa - pb || Date.parse(a.first_reported_at) - Date.parse(b.first_reported_at);
}

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

function renderQueue(records) {
  const open = [...records.values()].sort(byUrgency);
  const now = Date.now();
  queueBody.replaceChildren(...open.slice(0, QUEUE_ROWS).map((i) => row(i, now)));
  const count = t("queue.count", { count: open.length });
  document.getElementById("queue-count").textContent =
    open.length > QUEUE_ROWS ? `${count} · ${t("queue.showing", { shown: QUEUE_ROWS })}` : count;
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
    // Incidents first: the queue and their markers make the console usable; the background
    // and the other layers follow.
    Object.assign(layers, await drawLayers(map, specs.filter((s) => s.id === "incidents"), control));
    renderQueue(layers.incidents.records);
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
        if (layer === incidents) renderQueue(incidents.records);
      } catch (error) {
        notify(t("error.load", { detail: error.message }), "error");
      }
    });
  });
}

main();
