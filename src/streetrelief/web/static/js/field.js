// The field app: current assignment, status buttons, encounters, the team's revisits, hotspot
// check-ins; works offline.
import { api, codeNames, config, el, notify, t } from "./common.js";
import { enqueue, flush, pending } from "./outbox.js";

const ASSIGNMENT_KEY = "streetrelief.assignment";
const HOTSPOTS_KEY = "streetrelief.hotspots";
const REVISITS_KEY = "streetrelief.revisits";
const NEAREST = 20; // hotspots offered, nearest first
const EARTH_RADIUS_M = 6371000;
const POLL_MS = 30000;
const RETRY_MS = 3000;
const CLOSING = new Set(["resolved", "not_found"]);

let assignment = JSON.parse(localStorage.getItem(ASSIGNMENT_KEY) || "null");
let revisits = JSON.parse(localStorage.getItem(REVISITS_KEY) || "[]");

function keep(incident) {
  assignment = incident;
  if (incident) localStorage.setItem(ASSIGNMENT_KEY, JSON.stringify(incident));
  else localStorage.removeItem(ASSIGNMENT_KEY);
  render();
}

function render() {
  const detail = document.getElementById("assignment-detail");
  document.getElementById("no-assignment").textContent = assignment ? "" : t("field.no_assignment");
  detail.hidden = !assignment;
  document.getElementById("encounter-section").hidden = !assignment || !["on_scene", "resolved"].includes(assignment.status);
  if (!assignment) return;
  const prio = assignment.priority || "none";
  const badge = document.getElementById("a-priority");
  badge.className = `prio prio-${prio}`;
  badge.textContent = t(`priority.${prio}`);
  document.getElementById("a-title").textContent = `#${assignment.id} · ${t("queue.people", { count: assignment.people_count })}`;
  document.getElementById("a-status").textContent = t(`status.${assignment.status}`);
  document.getElementById("a-status").dataset.status = assignment.status;
  document.getElementById("a-conditions").textContent = codeNames("condition", assignment.conditions);
  document.getElementById("a-navigate").href = geoLink(assignment);
}

/** A link that opens the phone's map app at a `{lat, lon}` place. */
function geoLink(place) {
  return `geo:${place.lat},${place.lon}?q=${place.lat},${place.lon}`;
}

/** The team's revisits, by due time: when each is due, and a link to navigate there. */
function renderRevisits() {
  document.getElementById("revisits-section").hidden = !revisits.length;
  document.getElementById("revisits").replaceChildren(...revisits.map((r) => el("li", { dataset: { status: r.status } },
    t("field.revisit_due", { time: new Date(r.due_at).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) }),
    r.status === "overdue" ? ` · ${t("queue.overdue")} ` : " ",
    el("a", { class: "button", href: geoLink(r), rel: "noopener" }, t("field.navigate")))));
}

async function showSync() {
  const waiting = (await pending()).length;
  const state = document.getElementById("sync-state");
  state.textContent = waiting ? t("field.queued", { count: waiting }) : navigator.onLine ? t("field.synced") : t("field.offline");
  state.dataset.waiting = String(waiting);
}

let retry = null;

async function sync() {
  if (navigator.onLine) {
    const waiting = await flush((action, error) => notify(t("field.rejected", { detail: error.message }), "error"));
    // Signal, but the send failed (a weak signal, the server away): try again soon.
    clearTimeout(retry);
    if (waiting) retry = setTimeout(sync, RETRY_MS);
  }
  await showSync();
}

async function refreshAssignment() {
  if (!config.teamId || !navigator.onLine || (await pending()).length) return;
  try {
    const [dispatches, tasks] = await Promise.all([
      api(`/teams/${config.teamId}/dispatches`), api(`/teams/${config.teamId}/revisits`),
    ]);
    revisits = tasks;
    localStorage.setItem(REVISITS_KEY, JSON.stringify(tasks));
    renderRevisits();
    const current = jobInHand(dispatches);
    keep(current ? await api(`/incidents/${current.incident_id}`) : null);
  } catch (error) {
    if (error instanceof TypeError) return; // no network: keep what we have
    notify(t("error.load", { detail: error.message }), "error");
  }
}

/**
 * The job in hand among a team's open dispatches (oldest first): the one it last moved on
 * (en route or on scene), else the oldest; the others are next jobs queued behind it.
 */
function jobInHand(dispatches) {
  const movedAt = (d) => new Date(d.on_scene_at ?? d.en_route_at ?? 0).getTime();
  return dispatches.reduce((best, d) => (best === undefined || movedAt(d) > movedAt(best) ? d : best), undefined);
}

async function act(action) {
  await enqueue(action);
  await showSync();
  await sync();
}

function moveTo(status) {
  if (!assignment) return;
  const at = new Date().toISOString();
  act({ method: "POST", path: `/incidents/${assignment.id}/transitions`, body: { to: status, at } });
  keep(CLOSING.has(status) ? null : { ...assignment, status });
}

function encounterBody(form) {
  const value = (name) => form.elements[name].value.trim();
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  const person = { description: value("description") };
  if (value("approx_age")) person.approx_age = Number(value("approx_age"));
  if (value("name")) person.name = value("name");
  const items = [...form.querySelectorAll(".item-count")]
    .map((input) => ({ item: input.dataset.item, quantity: Number(input.value) }))
    .filter((i) => i.quantity > 0);
  const body = {
    person, team_id: config.teamId, met_at: new Date().toISOString(),
    categories: checked("categories"), measures: checked("measures"), items, outcome: value("outcome"),
  };
  if (value("notes")) body.notes = value("notes");
  return body;
}

let hotspots = JSON.parse(localStorage.getItem(HOTSPOTS_KEY) || "[]");
let position = null;

/** Great-circle distance in metres between two `{lat, lon}` points. */
function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

/** The phone's position now (a fix up to a minute old will do), or null without one. */
function locate() {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    (fix) => resolve({ lat: fix.coords.latitude, lon: fix.coords.longitude }),
    () => resolve(null),
    { enableHighAccuracy: true, maximumAge: 60000, timeout: 15000 },
  ));
}

/** The hotspot choice: the nearest active ones first, with their distance. */
function renderHotspots() {
  const select = document.getElementById("c-hotspot");
  const chosen = select.value;
  const listed = hotspots.filter((h) => h.status === "active")
    .map((h) => ({ ...h, distance: position ? distanceM(position, h) : null }))
    .sort((a, b) => (a.distance ?? 0) - (b.distance ?? 0) || a.name.localeCompare(b.name))
    .slice(0, NEAREST);
  select.replaceChildren(...listed.map((h) => el("option", { value: h.id },
    h.distance === null ? h.name : `${h.name} · ${t("field.distance", { metres: Math.round(h.distance) })}`)));
  if (listed.some((h) => String(h.id) === chosen)) select.value = chosen;
  document.getElementById("c-position").textContent = !listed.length ? t("field.no_hotspots")
    : position ? t("report.located", { lat: position.lat.toFixed(5), lon: position.lon.toFixed(5) }) : t("field.no_position");
}

async function refreshHotspots() {
  if (navigator.onLine) {
    try {
      const region = config.regionCode ? `&region_code=${encodeURIComponent(config.regionCode)}` : "";
      hotspots = await api(`/hotspots?status=active${region}`);
      localStorage.setItem(HOTSPOTS_KEY, JSON.stringify(hotspots));
    } catch (error) {
      if (!(error instanceof TypeError)) notify(t("error.load", { detail: error.message }), "error");
    }
  }
  position = (await locate()) ?? position;
  renderHotspots();
}

async function checkIn(form) {
  const id = form.elements.hotspot.value;
  position = (await locate()) ?? position;
  renderHotspots();
  if (!id || !position) {
    notify(t(id ? "field.no_position" : "field.no_hotspots"), "error");
    return;
  }
  const conditions = [...form.querySelectorAll("input[name=conditions]:checked")].map((i) => i.value);
  await act({
    method: "POST",
    path: `/hotspots/${id}/check-ins`,
    body: {
      team_id: config.teamId, lat: position.lat, lon: position.lon,
      people_found: Number(form.elements.people_found.value) || 0, conditions,
      note: form.elements.note.value.trim(), checked_in_at: new Date().toISOString(),
    },
  });
  form.reset();
  form.elements.hotspot.value = id;
  notify(t("field.checked_in"));
}

function main() {
  for (const button of document.querySelectorAll(".status-buttons button")) {
    button.addEventListener("click", () => moveTo(button.dataset.to));
  }
  const form = document.getElementById("encounter-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!assignment) return;
    await act({ method: "POST", path: `/incidents/${assignment.id}/encounters`, body: encounterBody(form) });
    form.reset();
    notify(t("field.recorded"));
  });
  const checkInForm = document.getElementById("check-in-form");
  checkInForm.addEventListener("submit", (event) => {
    event.preventDefault();
    checkIn(checkInForm);
  });
  document.getElementById("c-locate").addEventListener("click", refreshHotspots);
  window.addEventListener("online", sync);
  window.addEventListener("offline", showSync);
  render();
  renderRevisits();
  sync().then(refreshAssignment).then(() => { document.body.dataset.ready = "1"; });
  document.getElementById("check-in-section").hidden = !config.teamId; // a team checks in
  if (config.teamId) refreshHotspots();
  setInterval(() => sync().then(refreshAssignment), POLL_MS);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/field/sw.js", { scope: "/field" });
}

main();
