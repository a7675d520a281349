// The tablet page's service worker (served at /field/sw.js, scope /field): the page and its assets open
// without a connection. Writes (POST) are never touched here: the page queues them in IndexedDB itself.
"use strict";
const CACHE = "safemap-field-__VERSION__";
const PRECACHE = __PRECACHE__;
// Base map tiles the page stored for offline work («آماده‌سازی برای کار بی‌اینترنت»): kept across versions.
const TILES = "safemap-tiles";

self.addEventListener("install", (event) => {
  // One missing asset must not stop the rest from being stored.
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(
    PRECACHE.map((url) => cache.add(new Request(url, {cache: "reload"})).catch(() => undefined)),
  )).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key.startsWith("safemap-field-") && key !== CACHE).map((key) => caches.delete(key)),
  )).then(() => self.clients.claim()));
});

// The page: network first (fresh neighbourhoods and session), the stored copy when offline.
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const stored = await cache.match(request) || await cache.match(request, {ignoreSearch: true});
    if (stored) return stored;
    throw error;
  }
}

// The page asks to be stored when it first opens (its own navigation happened before this worker existed),
// and afresh (`fresh`) when it prepares for offline work: the spots it carries are then the latest.
self.addEventListener("message", (event) => {
  const url = new URL(event.data && event.data.store, self.location.origin);
  if (url.origin !== self.location.origin || !url.pathname.startsWith("/field")) return;
  event.waitUntil(caches.open(CACHE).then(async (cache) => {
    if (!event.data.fresh && await cache.match(url.href)) return;
    const response = await fetch(url.href, {credentials: "same-origin"});
    if (response.ok && !response.redirected) await cache.put(url.href, response);
  }));
});

// Static assets: the stored copy first; a new version of the worker brings new copies.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const stored = await cache.match(request);
  if (stored) return stored;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// A base map tile: the stored copy when the page prepared for offline work, else the network.
async function tile(request) {
  const stored = await caches.open(TILES).then((cache) => cache.match(request, {ignoreVary: true}));
  return stored || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === "/field" || url.pathname === "/field/")) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(asset(request));
  } else if (url.pathname.startsWith("/basemaps/")) {
    event.respondWith(tile(request));
  }
});
