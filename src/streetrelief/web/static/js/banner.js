// The response level of the console's region, as a banner with its trigger.
import { api, config, t } from "./common.js";

export async function showLevel() {
  const banner = document.getElementById("level-banner");
  if (!banner || !config.regionCode) return;
  let level;
  try {
    level = await api(`/response-levels/${encodeURIComponent(config.regionCode)}`);
  } catch {
    return; // no response policy for this region: no banner
  }
  const active = level.level && level.level !== "none";
  banner.hidden = false;
  banner.dataset.colour = level.colour || "none";
  document.getElementById("level-text").textContent = active
    ? t("level.active", { level: level.level })
    : t("level.none");
  const trigger = level.response?.trigger;
  const why = trigger ? [trigger.rule, trigger.reason].filter(Boolean).join(" · ") : "";
  document.getElementById("level-trigger").textContent = why ? t("level.trigger", { trigger: why }) : "";
}
