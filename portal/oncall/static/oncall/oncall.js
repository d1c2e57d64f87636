// The On Call page: pick a shift by clicking its row, open the action dialogs in a <dialog>,
// submit them without leaving the page. Without JavaScript every dialog is a page of its own.
(function () {
  "use strict";

  function dialog() {
    return document.getElementById("oncall-dialog");
  }

  function show(html) {
    const d = dialog();
    if (!d) return false;
    d.innerHTML = html;
    if (!d.open) d.showModal();
    const first = d.querySelector("[aria-invalid='true'], select, input:not([type=hidden]), textarea, button");
    if (first) first.focus();
    return true;
  }

  async function load(url) {
    const response = await fetch(url, { headers: { "X-Dialog": "1" }, credentials: "same-origin" });
    if (!show(await response.text())) window.location.href = url;
  }

  document.addEventListener("click", (event) => {
    const row = event.target.closest("tr.oc-row");
    if (row && !event.target.closest("a, button, details, input")) {
      const radio = row.querySelector("input[type=radio][name=shift]");
      if (radio) radio.checked = true;
    }
    if (row) {
      document.querySelectorAll("tr.oc-row.selected").forEach((r) => r.classList.remove("selected"));
      const radio = row.querySelector("input[type=radio][name=shift]");
      if (radio && radio.checked) row.classList.add("selected");
    }
    const opener = event.target.closest("a[data-dialog]");
    if (opener && dialog()) {
      event.preventDefault();
      load(opener.href);
      return;
    }
    const closer = event.target.closest("[data-close]");
    if (closer && dialog() && dialog().open) {
      event.preventDefault();
      dialog().close();
    }
  });

  // After an action the page comes back with the shift chosen: bring it into view.
  document.addEventListener("DOMContentLoaded", () => {
    const chosen = document.querySelector("tr.oc-row input[name=shift]:checked");
    if (chosen) {
      const row = chosen.closest("tr");
      row.classList.add("selected");
      if (!window.location.hash) row.scrollIntoView({ block: "center" });
    }
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-dialog-form]") && event.submitter && event.submitter.formAction && dialog()) {
      event.preventDefault();
      const params = new URLSearchParams(new FormData(form));
      load(event.submitter.formAction + "?" + params.toString());
      return;
    }
    if (form.matches("[data-dialog-submit]") && dialog() && dialog().contains(form)) {
      event.preventDefault();
      const data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "X-Dialog": "1" },
        credentials: "same-origin",
      });
      const next = response.headers.get("X-Location");
      if (next) {
        window.location.href = next;
        return;
      }
      if (response.redirected) {
        window.location.href = response.url;
        return;
      }
      show(await response.text());
    }
  });
})();
