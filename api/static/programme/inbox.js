// The inbox: opening a notification marks it read (POST /api/inbox/read {id}, kept alive across the page
// change) before following its link to where the work is.
(function () {
  "use strict";
  const {suffix, csrf} = window.SafemapPage;
  for (const link of document.querySelectorAll("a[data-notification]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      fetch(`/api/inbox/read${suffix}`, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
        body: JSON.stringify({id: Number(link.dataset.notification)}),
      }).finally(() => window.location.assign(link.href));
    });
  }
})();
