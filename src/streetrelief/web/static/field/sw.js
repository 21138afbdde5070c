// The field app's service worker: keeps the app's shell so that it opens without a signal.
// Data never comes from this cache: API calls go to the network, and the app keeps its own
// offline queue (static/js/outbox.js).
const CACHE = "streetrelief-field-v1";
const SHELL = [
  "/field",
  "/static/css/app.css",
  "/static/js/common.js",
  "/static/js/outbox.js",
  "/static/js/field.js",
  "/static/icons/app.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname.startsWith("/api/")) return;
  // Network first, so that a new version is used as soon as there is a signal.
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok && (url.pathname === "/field" || url.pathname.startsWith("/static/"))) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(event.request, copy));
      }
      return response;
    })
    .catch(() => caches.match(event.request, { ignoreSearch: true })));
});
