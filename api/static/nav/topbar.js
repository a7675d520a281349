// The top bar's sign-out: closes the browser session (POST with the CSRF cookie), then opens the sign-in page.
(function () {
  "use strict";
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
