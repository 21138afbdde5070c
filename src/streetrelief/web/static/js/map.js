// The console map: Leaflet with our own assets, region background, and layers as data.
import { api, config, localTime, t } from "./common.js";

const PRIORITY_COLOURS = { critical: "#b00020", high: "#d35400", normal: "#1f6fb2", low: "#5f6b7a" };
const TEAM_COLOURS = {
  available: "#1b7f3b", dispatched: "#8a5a00", en_route: "#8a5a00", on_scene: "#6a1b9a",
  transporting: "#6a1b9a", returning: "#1b7f3b", off_duty: "#767676",
};

/** The base map: tiles when a tile URL is configured, else a plain background. */
export function createMap(element, { centre = config.centre, zoom = 10 } = {}) {
  const map = L.map(element, { preferCanvas: true, zoomControl: true });
  map.setView(centre || [39.9, 116.4], zoom);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  return map;
}

/** Region centres with their names: the background when no tiles are configured. */
export function drawPlaces(map, places) {
  const layer = L.layerGroup();
  for (const place of places) {
    L.circleMarker([place.lat, place.lon], {
      radius: 3, color: "#555", weight: 1, fillOpacity: 0.6, interactive: false,
    }).bindTooltip(place.name, { permanent: true, direction: "right", className: "place-label" })
      .addTo(layer);
  }
  return layer.addTo(map);
}

function incidentMarker(incident) {
  const colour = PRIORITY_COLOURS[incident.priority] || "#5f6b7a";
  return L.circleMarker([incident.lat, incident.lon], {
    radius: incident.priority === "critical" ? 8 : 6, color: colour, fillColor: colour,
    fillOpacity: 0.8, weight: 1,
  }).bindPopup(() => `<a href="/console/incidents/${incident.id}">#${incident.id}</a> ` +
    `${t("priority." + (incident.priority || "none"))} · ${t("status." + incident.status)}`);
}

function teamMarker(team) {
  const colour = TEAM_COLOURS[team.status] || "#333";
  return L.circleMarker([team.last_lat, team.last_lon], {
    radius: 5, color: "#fff", fillColor: colour, fillOpacity: 1, weight: 2,
  }).bindTooltip(() => `${team.code} · ${t("team." + team.status)}`);
}

/** Free places as the server counts them (holds for referrals taken off); figures not updated
 * lately are drawn pale and dashed and say so. */
function servicePointMarker(point) {
  const places = t("map.free_places", { free: point.free, capacity: point.capacity });
  return L.circleMarker([point.lat, point.lon], {
    radius: 6, color: "#0b6e4f", fillColor: point.free > 0 ? "#0b6e4f" : "#9e9e9e",
    fillOpacity: point.is_stale ? 0.35 : 0.9, weight: 2, dashArray: point.is_stale ? "3 3" : null,
  }).bindTooltip(() => `${point.name} · ${point.is_stale ? t("map.stale", { places }) : places}`);
}

/** A hotspot to visit: ringed in red when overdue (never visited, or past its due time). */
function hotspotMarker(hotspot) {
  const colour = hotspot.is_overdue ? "#b00020" : "#7a5c00";
  const due = hotspot.is_overdue ? t("map.overdue") : t("map.due", { at: localTime(hotspot.next_due_at) });
  return L.circleMarker([hotspot.lat, hotspot.lon], {
    radius: hotspot.is_overdue ? 7 : 5, color: colour, fillColor: "#ffd166", fillOpacity: 0.9,
    weight: hotspot.is_overdue ? 3 : 1,
  }).bindTooltip(() => `${hotspot.name} · ${t(`hotspot.${hotspot.kind}`)} · ${due}`);
}

/** Region outlines with their names, beneath every other layer. They share the markers' canvas
 * (a canvas of their own would sit over or under it and take or miss the pointer). */
function drawBoundaries(map, collection) {
  return L.geoJSON(collection, {
    style: { color: "#4a5a6a", weight: 1, fillColor: "#dde4ea", fillOpacity: 0.25 },
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true }),
  }).addTo(map).bringToBack();
}

/** A GeoJSON point feature as a flat record with `lat` and `lon`, like the API's records. */
function fromFeature(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  return { ...feature.properties, lat, lon };
}

/** A compact incident point `[id, lon, lat, priority, status]` as a flat record (open). */
function fromPoint([id, lon, lat, priority, status]) {
  return { id, lon, lat, priority, status, is_open: true };
}

/** The regions under `code` (the roots when none) that have a centre, going one level deeper
 * for those without one (a municipality's prefecture level, say). */
async function regionsBelow(code) {
  const children = await api(code ? `/regions?parent_code=${encodeURIComponent(code)}` : "/regions");
  const without = children.filter((r) => r.lat === null);
  const deeper = await Promise.all(without.map((r) => api(`/regions?parent_code=${encodeURIComponent(r.code)}`)));
  return [...children, ...deeper.flat()];
}

/**
 * The map's layers. Each is data: `id`, a translated `label`, `load()` giving its records (a
 * FeatureCollection of region outlines for the `geojson` layer, region centres for the `place`
 * layer), and `marker(record)` and `key(record)` for a record layer; `subject` names the events'
 * subject after which one record is reloaded by `reload(id)`, and `keep(record)` whether it
 * stays on the map.
 */
export function consoleLayers() {
  const code = config.regionCode ? encodeURIComponent(config.regionCode) : "";
  const region = code ? `region_code=${code}` : "";
  return [
    {
      id: "boundaries",
      label: t("layer.boundaries"),
      load: () => api(`/regions/boundaries.geojson${code ? `?within=${code}` : ""}`),
      geojson: true,
    },
    {
      id: "regions",
      label: t("layer.regions"),
      load: () => regionsBelow(config.regionCode),
      place: true,
    },
    {
      id: "service_points",
      label: t("layer.service_points"),
      load: () => api(`/service-points?${region}`),
      marker: servicePointMarker,
      key: (p) => p.id,
      reload: (id) => api(`/service-points/${id}`),
      subject: "service_point",
    },
    {
      id: "hotspots",
      label: t("layer.hotspots"),
      load: async () => (await api(`/hotspots.geojson${code ? `?region_code=${code}` : ""}`)).features.map(fromFeature),
      marker: hotspotMarker,
      key: (hotspot) => hotspot.id,
      reload: (id) => api(`/hotspots/${id}`),
      keep: (hotspot) => hotspot.status !== "retired",
      subject: "hotspot",
    },
    {
      id: "teams",
      label: t("layer.teams"),
      load: () => api(`/teams?${region}`),
      marker: teamMarker,
      key: (team) => team.id,
      reload: (id) => api(`/teams/${id}`),
      subject: "team",
    },
    {
      id: "incidents",
      label: t("layer.incidents"),
      load: async () => (await api(`/incidents/points?${region}`)).points.map(fromPoint),
      marker: incidentMarker,
      key: (incident) => incident.id,
      reload: (id) => api(`/incidents/${id}`),
      keep: (incident) => incident.is_open,
      subject: "incident",
    },
  ];
}

/** A record layer on `map`: its markers by key, replaced one at a time on updates. The map's
 * element tells how many it draws (`data-<id>`). */
export class RecordLayer {
  constructor(map, spec) {
    this.spec = spec;
    this.element = map.getContainer();
    this.group = L.featureGroup().addTo(map);
    this.markers = new Map();
    this.records = new Map();
  }

  setAll(records) {
    this.group.clearLayers();
    this.markers.clear();
    this.records.clear();
    for (const record of records) this.put(record);
    this.element.dataset[this.spec.id] = String(this.records.size);
  }

  put(record) {
    const key = this.spec.key(record);
    const old = this.markers.get(key);
    if (old) this.group.removeLayer(old);
    if (this.spec.keep && !this.spec.keep(record)) {
      this.markers.delete(key);
      this.records.delete(key);
    } else {
      const marker = this.spec.marker(record);
      this.markers.set(key, marker);
      this.records.set(key, record);
      marker.addTo(this.group);
    }
    this.element.dataset[this.spec.id] = String(this.records.size);
  }
}

/** The map's layer switch, to which `drawLayers` adds each layer. */
export function layerControl(map) {
  return L.control.layers(null, null, { collapsed: false }).addTo(map);
}

/** Draw every layer of `specs` on `map`, listed in `control`; resolves to the record layers
 * by id. */
export async function drawLayers(map, specs, control) {
  const layers = {};
  await Promise.all(specs.map(async (spec) => {
    const data = await spec.load();
    if (spec.geojson) {
      map.getContainer().dataset[spec.id] = String(data.features.length);
      if (data.features.length) control.addOverlay(drawBoundaries(map, data), spec.label);
      return;
    }
    if (spec.place) {
      control.addOverlay(drawPlaces(map, data.filter((r) => r.lat !== null)), spec.label);
      return;
    }
    const layer = new RecordLayer(map, spec);
    layer.setAll(data);
    control.addOverlay(layer.group, spec.label);
    layers[spec.id] = layer;
  }));
  return layers;
}
