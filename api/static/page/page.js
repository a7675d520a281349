// What the staff pages' scripts share, loaded (deferred) before each page's own script: the page's language
// as the server wrote it on <html lang>, numbers in that language's digits, the ?lang=en the page's links and
// calls carry, its JSON data block, and the CSRF token a write sends back. No words here: they come from the page.
window.SafemapPage = (() => {
  "use strict";
  const en = document.documentElement.lang === "en";
  return Object.freeze({
    en,
    suffix: en ? "?lang=en" : "",
    digits: (value) => (en ? String(value)
      : String(value).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)))),
    data: (id) => JSON.parse(document.getElementById(id).textContent),
    csrf() {
      const cookie = document.cookie.split("; ").find((c) => c.startsWith("safemap_csrf="));
      return cookie ? decodeURIComponent(cookie.slice("safemap_csrf=".length)) : "";
    },
  });
})();
