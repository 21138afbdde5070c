// One incident: summary, triage, recommended teams with one-click assign, reports, timeline.
import { ApiError, api, codeNames, config, el, localTime, notify, t } from "./common.js";
import { showLevel } from "./banner.js";
import { INCIDENT_EVENTS, followEvents } from "./live.js";

const id = config.incidentId;
let teamCodes = new Map();

function fact(term, value) {
  return [el("dt", {}, term), el("dd", {}, value)];
}

function renderSummary(incident) {
  const prio = incident.priority || "none";
  const summary = document.getElementById("summary");
  summary.replaceChildren(
    ...fact("", el("span", { class: `prio prio-${prio}` }, t(`priority.${prio}`))),
    ...fact("", t(`status.${incident.status}`)),
    ...fact("", t("queue.people", { count: incident.people_count })),
    ...fact("", t("queue.reports", { count: incident.report_count })),
    ...fact("", `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)}`),
  );
  summary.dataset.status = incident.status;
  document.getElementById("triage-rules").textContent = codeNames("rule", incident.triage_rules);
  document.getElementById("measures").textContent = codeNames("measure", incident.measures);
}

function renderTimeline(incident, dispatches) {
  const steps = [[incident.first_reported_at, t("timeline.reported")]];
  for (const status of ["triaged", "dispatched", "en_route", "on_scene", "resolved", "not_found", "cancelled"]) {
    const at = incident[`${status}_at`];
    if (at) steps.push([at, t(`status.${status}`)]);
  }
  for (const d of dispatches) {
    const team = teamCodes.get(d.team_id) || `#${d.team_id}`;
    steps.push([d.assigned_at, t("timeline.team_assigned", { team, by: d.assigned_by || t("timeline.automatic") })]);
  }
  steps.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  document.getElementById("timeline").replaceChildren(
    ...steps.map(([at, what]) => el("li", {}, el("time", { datetime: at }, localTime(at)), " ", what)),
  );
}

function renderRecommendations(recommendations, incident) {
  const list = document.getElementById("recommendations");
  const closed = !incident.is_open;
  if (!recommendations.length || closed) {
    list.replaceChildren(el("li", { class: "muted" }, t("rec.none")));
    return;
  }
  list.replaceChildren(...recommendations.map((r) => {
    const button = el("button", { type: "button", class: "primary", dataset: { team: r.team_id } },
      `${t("rec.assign")} ${r.team_code}`);
    button.addEventListener("click", () => assign(r, button));
    return el("li", { class: "card" },
      el("strong", {}, `${r.rank}. ${r.team_code}`), " ",
      el("span", {}, t("rec.eta", { minutes: Math.round(r.eta_s / 60), km: (r.distance_m / 1000).toFixed(1) })),
      el("p", { class: "muted" }, r.explanation),
      config.canAssign ? button : null);
  }));
}

async function assign(recommendation, button) {
  button.disabled = true;
  try {
    await api(`/incidents/${id}/dispatches`, { method: "POST", body: { team_id: recommendation.team_id } });
    notify(t("rec.assigned", { team: recommendation.team_code }));
    await load();
  } catch (error) {
    button.disabled = false;
    notify(t("error.action", { detail: error.message }), "error");
  }
}

function personCell(encounter, person) {
  if (!person) return encounter.person_temp_id;
  const hidden = person.masked.length ? el("span", { class: "masked" }, t("person.masked")) : null;
  return el("span", {}, person.name || person.temp_id, " ", hidden,
    person.description ? el("span", { class: "muted" }, ` · ${person.description}`) : null);
}

async function load() {
  try {
    const [incident, reports, dispatches, encounters] = await Promise.all([
      api(`/incidents/${id}`),
      api(`/incidents/${id}/reports`),
      api(`/incidents/${id}/dispatches`),
      api(`/incidents/${id}/encounters`).catch(() => []),
    ]);
    const recommendations = config.canAssign && incident.is_open
      ? await api(`/incidents/${id}/recommendations`).catch(() => [])
      : [];
    for (const r of recommendations) teamCodes.set(r.team_id, r.team_code);
    renderSummary(incident);
    renderRecommendations(recommendations, incident);
    renderTimeline(incident, dispatches);
    document.getElementById("reports").replaceChildren(...reports.map((r) => el("tr", {},
      el("td", {}, localTime(r.received_at)), el("td", {}, r.channel),
      el("td", {}, codeNames("condition", r.conditions)), el("td", {}, r.description || ""))));
    // Person records as this role may see them: the API leaves out what it may not (masked).
    const persons = await Promise.all(encounters.map((e) => api(`/persons/${e.person_id}`).catch(() => null)));
    document.getElementById("encounters").replaceChildren(...encounters.map((e, i) => el("tr", {},
      el("td", {}, localTime(e.met_at)), el("td", {}, personCell(e, persons[i])),
      el("td", {}, e.categories.join(", ")),
      el("td", {}, e.items.map((i) => `${i.item} × ${i.quantity}`).join(", ")),
      el("td", {}, e.outcome))));
    document.body.dataset.ready = "1";
  } catch (error) {
    const detail = error instanceof ApiError ? error.message : String(error);
    notify(t("error.load", { detail }), "error");
  }
}

load();
showLevel();
followEvents(INCIDENT_EVENTS, (event) => {
  if (event.subject === "incident" && event.subject_id === id) load();
});
