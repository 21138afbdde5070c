// The campaign's figures for the region (last 24 hours) with bar charts; refreshed live.
import { api, config, localTime, notify, t } from "./common.js";
import { showLevel } from "./banner.js";
import { INCIDENT_EVENTS, followEvents } from "./live.js";

const percent = new Intl.NumberFormat(config.lang, { style: "percent", maximumFractionDigits: 0 });

function drawBars(chart, stats) {
  const bars = [...chart.querySelectorAll(".bar")];
  const values = bars.map((bar) => stats[bar.dataset.key]);
  const top = Math.max(1, ...values.filter((v) => v !== null));
  bars.forEach((bar, i) => {
    const value = values[i];
    bar.querySelector(".bar-fill").style.width = `${value === null ? 0 : (100 * value) / top}%`;
    bar.querySelector(".bar-value").textContent = value === null
      ? t("stats.none")
      : bar.dataset.unit === "minutes" ? t("stats.minutes", { minutes: Math.round(value / 60) }) : String(value);
  });
}

async function load() {
  if (!config.regionCode) return;
  try {
    const stats = await api(`/stats?region_code=${encodeURIComponent(config.regionCode)}`);
    document.getElementById("stats-span").textContent = `${config.regionName} · ${localTime(stats.start)} – ${localTime(stats.end)}`;
    for (const node of document.querySelectorAll("[id^=stat-]")) {
      const value = stats[node.id.slice(5)];
      node.textContent = value === null || value === undefined
        ? t("stats.none")
        : node.id.includes("share") ? percent.format(value) : String(value);
    }
    drawBars(document.getElementById("chart-response"), stats);
    drawBars(document.getElementById("chart-help"), stats);
    document.body.dataset.ready = "1";
  } catch (error) {
    notify(t("error.load", { detail: error.message }), "error");
  }
}

const REFRESH_MS = 2000; // a burst of events reloads the figures once

let refresh = null;
load();
showLevel();
followEvents(INCIDENT_EVENTS, () => {
  refresh ??= setTimeout(() => {
    refresh = null;
    load();
  }, REFRESH_MS);
});
