// Shared by every page: the page's strings and settings, API calls, time display, notices.

const MESSAGES = JSON.parse(document.getElementById("page-messages").textContent);
export const config = JSON.parse(document.getElementById("page-config").textContent);

const CSRF_KEY = "streetrelief.csrf";

/** The page's translation of `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = MESSAGES[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** The page's name for a policy code of `kind` (condition, measure, rule); a code the page
 * has no name for (a policy of one's own) shows as it is. */
export function codeName(kind, code) {
  const key = `${kind}.${code}`;
  return key in MESSAGES ? t(key) : code;
}

/** The names of `codes` of `kind`, joined; "–" for none. */
export function codeNames(kind, codes) {
  return (codes || []).map((code) => codeName(kind, code)).join(", ") || "–";
}

export function rememberCsrf(token) {
  localStorage.setItem(CSRF_KEY, token);
}

/** An error answer of the API: `status` and the problem's `detail`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * Call the API at `/api/v1{path}`; the page session cookie goes with it and every change
 * carries the CSRF token. Resolves to the JSON answer (null for 204); rejects with ApiError
 * for an error answer and with TypeError when the network is down.
 */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (method !== "GET") {
    init.headers["X-CSRF-Token"] = localStorage.getItem(CSRF_KEY) || "";
  }
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  if (response.status === 401 && config.user) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const timeFormat = new Intl.DateTimeFormat(config.lang, {
  timeZone: config.timezone || undefined,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
});

/** A UTC timestamp shown in the region's local time. */
export function localTime(iso) {
  return iso ? timeFormat.format(new Date(iso)) : "";
}

/** Elapsed time since `iso` as h:mm:ss (m:ss under an hour). */
export function elapsed(iso, now = Date.now()) {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(sec).padStart(2, "0")}`;
}

/** Show a short message in the page's live region. */
export function notify(text, kind = "info") {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.dataset.kind = kind;
  box.classList.add("shown");
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => box.classList.remove("shown"), 6000);
}

/** Build an element: el("td", {class: "x"}, "text", child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
