// The team status board: teams grouped by status, kept live.
import { api, config, el, localTime, notify, t } from "./common.js";
import { showLevel } from "./banner.js";
import { TEAM_EVENTS, followEvents } from "./live.js";

const STATUSES = ["available", "dispatched", "en_route", "on_scene", "transporting", "returning", "off_duty"];
const teams = new Map();

function render() {
  const board = document.getElementById("board");
  board.replaceChildren(...STATUSES.map((status) => {
    const members = [...teams.values()].filter((team) => team.status === status)
      .sort((a, b) => a.code.localeCompare(b.code));
    return el("section", { class: `column team-${status}`, "aria-label": t(`team.${status}`) },
      el("h2", {}, `${t(`team.${status}`)} (${members.length})`),
      el("ul", {}, ...members.map((team) => el("li", { dataset: { team: team.id } },
        el("strong", {}, team.code), " ", team.name, " ",
        el("span", { class: "muted" }, localTime(team.status_at))))));
  }));
}

async function main() {
  try {
    const region = config.regionCode ? `?region_code=${encodeURIComponent(config.regionCode)}` : "";
    for (const team of await api(`/teams${region}`)) teams.set(team.id, team);
    render();
    document.body.dataset.ready = "1";
  } catch (error) {
    notify(t("error.load", { detail: error.message }), "error");
  }
  showLevel();
  followEvents(TEAM_EVENTS, async (event) => {
    teams.set(event.subject_id, await api(`/teams/${event.subject_id}`));
    render();
  });
}

main();
