// A batch's page: withdraw a letter imported by mistake (its reports leave their spots) or put it back, through
// the engine's POST /api/imports/batches/{id}/withdraw and /restore, then show the page again.
(function () {
  "use strict";
  const {en, csrf} = window.SafemapPage;
  const text = window.SafemapPage.data("batch-data").text;
  const button = document.getElementById("move");
  const status = document.getElementById("status");

  button.addEventListener("click", async () => {
    if (button.dataset.withdraw === "true" && !window.confirm(text.withdraw_confirm)) return;
    button.disabled = true;
    let response;
    try {
      response = await fetch(`${button.dataset.url}?lang=${en ? "en" : "fa"}`, {
        method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf()},
      });
    } catch (error) {
      status.textContent = text.network;
      status.className = "failed";
      button.disabled = false;
      return;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      status.textContent = (problem.error && problem.error.message) || `${text.failed} (${response.status})`;
      status.className = "failed";
      button.disabled = false;
      return;
    }
    window.location.reload();
  });
})();
