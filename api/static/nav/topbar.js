// The top bar's sign-out: closes the browser session (POST with the CSRF cookie), then opens the sign-in page.
(function () {
  "use strict";
  // The inbox's unread count beside its link, for a signed-in user (the link is there only then).
  const count = document.getElementById("inbox-count");
  if (count) {
    fetch("/api/inbox/count", {credentials: "same-origin"}).then((r) => (r.ok ? r.json() : null)).then((body) => {
      if (!body || !body.unread) return;
      const lang = document.getElementById("topbar").dataset.lang;
      count.textContent = lang === "en" ? String(body.unread)
        : String(body.unread).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
      count.hidden = false;
    }).catch(() => {});
  }
  const button = document.getElementById("sign-out");
  if (!button) return;
  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("safemap_csrf="));
    return cookie ? decodeURIComponent(cookie.slice("safemap_csrf=".length)) : "";
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await fetch("/api/auth/logout", {method: "POST", credentials: "same-origin",
                                       headers: {"X-CSRF-Token": csrf()}});
    } finally {
      window.location.assign(button.dataset.after);
    }
  });
})();
