// The public report form: location by GPS or a pin, conditions, optional contact; a tracking code.
import { ApiError, api, config, notify, t } from "./common.js";
import { createMap, drawPlaces } from "./map.js";

const form = document.getElementById("report-form");
const state = document.getElementById("location-state");
const places = config.places || [];
const map = createMap(document.getElementById("pin-map"), {
  centre: places.length ? [places[0].lat, places[0].lon] : null, zoom: 9,
});
drawPlaces(map, places);
let pin = null;

function setLocation(lat, lon) {
  if (pin) pin.setLatLng([lat, lon]);
  else pin = L.marker([lat, lon], { keyboard: false }).addTo(map);
  map.setView([lat, lon], Math.max(map.getZoom(), 14));
  form.dataset.lat = String(lat);
  form.dataset.lon = String(lon);
  state.textContent = t("report.located", { lat: lat.toFixed(5), lon: lon.toFixed(5) });
}

map.on("click", (event) => setLocation(event.latlng.lat, event.latlng.lng));

document.getElementById("use-location").addEventListener("click", () => {
  if (!navigator.geolocation) {
    state.textContent = t("report.no_location");
    return;
  }
  state.textContent = t("report.locating");
  navigator.geolocation.getCurrentPosition(
    (position) => setLocation(position.coords.latitude, position.coords.longitude),
    () => { state.textContent = t("report.no_location"); },
    { enableHighAccuracy: true, timeout: 15000 },
  );
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("report-error");
  error.textContent = "";
  if (!form.dataset.lat) {
    error.textContent = t("report.need_location");
    document.getElementById("use-location").focus();
    return;
  }
  const body = {
    channel: "public",
    reported_at: new Date().toISOString(),
    lat: Number(form.dataset.lat),
    lon: Number(form.dataset.lon),
    description: form.elements.description.value.trim(),
    conditions: [...form.querySelectorAll("input[name=conditions]:checked")].map((i) => i.value),
    people_count: Number(form.elements.people_count.value) || 1,
  };
  const contact = form.elements.reporter_contact.value.trim();
  if (contact) body.reporter_contact = contact;
  const address = form.elements.address.value.trim();
  if (address) body.address = address;
  // One key per filled-in form: a double tap or a resend after a lost answer reports once.
  form.dataset.key ||= crypto.randomUUID();
  notify(t("report.sending"));
  try {
    const receipt = await api("/reports", { method: "POST", body, headers: { "Idempotency-Key": form.dataset.key } });
    form.hidden = true;
    const done = document.getElementById("receipt");
    done.hidden = false;
    document.getElementById("tracking-code").textContent = receipt.tracking_code;
    document.getElementById("track-link").href = `/report/track?code=${encodeURIComponent(receipt.tracking_code)}`;
    done.querySelector("h2").focus?.();
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.message : t("error.action", { detail: failure.message });
  }
});
