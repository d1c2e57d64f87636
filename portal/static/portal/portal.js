// Small behaviours with no build step: the three-line menu and auto-submitting selects.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-menu-toggle]");
  if (!toggle) return;
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.body.classList.toggle("menu-open", open);
});
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
});
// Search criteria fold into one bar on phones, so the first result shows without scrolling.
(() => {
  const phone = window.matchMedia("(max-width: 800px)");
  const fold = () => {
    document.querySelectorAll("details[data-filterbar]").forEach((d) => {
      if (!phone.matches) d.open = true;
      else if (!d.hasAttribute("data-filterbar-keep")) d.open = false;
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fold);
  else fold();
  phone.addEventListener("change", fold);
})();
// --- Typed dates over a period preset (inbox; any form that marks its fields) ---
// Typing a From/To date ([data-period-input]) checks the form's "specific dates" radio
// ([data-period-specific]) or, without one, unchecks its period radios ([data-period]). The
// server applies the same rule without JavaScript (period_shown).
document.addEventListener("input", (event) => {
  const field = event.target.closest("[data-period-input]");
  if (!field || !field.value || !field.form) return;
  const specific = field.form.querySelector("[data-period-specific]");
  if (specific) specific.checked = true;
  else field.form.querySelectorAll("input[type=radio][data-period]").forEach((r) => { r.checked = false; });
});
// A preset picked by hand wins over dates typed before it (portal/presets.py, rule 1): the
// form's preset_shown no longer names the radio drawn, so the server reads it as changed.
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (radio.type !== "radio" || radio.hasAttribute("data-period-specific") || !radio.form) return;
  const shown = radio.form.querySelector("input[name=preset_shown]");
  if (shown && radio.form.querySelector("[data-period-specific]")) shown.value = "";
});
// --- account switcher: navigate on an explicit choice, never on the arrow keys ---
// Enter or the Go button submits; so does a pick from the open list (a change that no key
// made). Arrow keys, Home/End and typing only move the choice.
(() => {
  let keyed = false;
  document.addEventListener("keydown", (event) => {
    const select = event.target.closest && event.target.closest("select[data-switcher]");
    if (!select) return;
    if (event.key === "Enter") {
      event.preventDefault();
      select.form.requestSubmit();
    } else if (event.key !== "Tab") keyed = true;
  });
  document.addEventListener("pointerdown", (event) => {
    if (event.target.closest && event.target.closest("select[data-switcher]")) keyed = false;
  });
  document.addEventListener("change", (event) => {
    if (!event.target.matches("select[data-switcher]")) return;
    if (!keyed) event.target.form.requestSubmit();
  });
})();
// --- session expiry: signed-out answers go to sign-in; warn before the idle logoff ---
(() => {
  const nativeFetch = window.fetch ? window.fetch.bind(window) : null;
  const never = () => new Promise(() => {});
  // A script's request after the session ended gets 401 with HX-Redirect (htmx follows it
  // by itself): go to the sign-in page, which leads back to this page.
  if (nativeFetch) {
    window.fetch = async (...args) => {
      const response = await nativeFetch(...args);
      const to = response.headers.get("X-Portal-Signed-Out") && response.headers.get("HX-Redirect");
      if (!to) return response;
      window.location.assign(to);
      return never();
    };
  }
  // A download link (<a download>) would save whatever comes back, the sign-in page too:
  // after the session ended it goes to sign-in instead, and downloads as usual otherwise.
  document.addEventListener("click", async (event) => {
    const link = event.target.closest && event.target.closest("a[download]");
    const box = document.getElementById("idle-warning");
    if (!link || !box || !nativeFetch || event.defaultPrevented) return;
    if (link.dataset.sessionChecked || new URL(link.href).origin !== window.location.origin) return;
    event.preventDefault();
    try {
      const response = await nativeFetch(box.dataset.statusUrl, {
        headers: { "X-Portal-Background": "1" }, credentials: "same-origin", cache: "no-store",
      });
      if ((await response.json()).seconds_left <= 0) {
        const next = window.location.pathname + window.location.search;
        window.location.assign(`${box.dataset.loginUrl}?${new URLSearchParams({ next, ended: "1" })}`);
        return;
      }
    } catch (err) { /* offline: let the browser try */ }
    link.dataset.sessionChecked = "1";
    link.click();
    delete link.dataset.sessionChecked;
  });
  const start = () => {
    const box = document.getElementById("idle-warning");
    if (!box || !nativeFetch || typeof box.showModal !== "function") return;
    const warnMs = Number(box.dataset.warnSeconds) * 1000;
    const left = box.querySelector("[data-idle-left]");
    const form = box.querySelector("form");
    let deadline = 0;
    let timers = [];
    const clear = () => { timers.forEach((t) => clearTimeout(t) || clearInterval(t)); timers = []; };
    const signIn = () => {
      const next = window.location.pathname + window.location.search;
      window.location.assign(`${box.dataset.loginUrl}?${new URLSearchParams({ next, ended: "1" })}`);
    };
    const secondsLeft = async () => {
      const response = await nativeFetch(box.dataset.statusUrl, {
        headers: { "X-Portal-Background": "1" }, credentials: "same-origin", cache: "no-store",
      });
      return (await response.json()).seconds_left;
    };
    const update = () => {
      left.textContent = String(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    };
    const end = async () => {
      try {
        const s = await secondsLeft(); // another tab may have kept the session alive
        if (s > 0) { schedule(s); return; }
      } catch (err) { /* offline: sign in again */ }
      signIn();
    };
    const warn = async () => {
      try {
        const s = await secondsLeft();
        if (s * 1000 > warnMs + 2000) { schedule(s); return; }
        if (s <= 0) { signIn(); return; }
        deadline = Date.now() + s * 1000;
      } catch (err) { /* keep the page's own deadline */ }
      update();
      timers.push(setInterval(update, 1000));
      if (!box.open) box.showModal();
    };
    function schedule(seconds) {
      clear();
      if (box.open) box.close();
      deadline = Date.now() + seconds * 1000;
      timers.push(setTimeout(warn, Math.max(0, seconds * 1000 - warnMs)));
      timers.push(setTimeout(end, seconds * 1000 + 500));
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const response = await nativeFetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) { signIn(); return; }
      schedule((await response.json()).seconds_left);
    });
    schedule(Number(box.dataset.secondsLeft));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
// --- accessibility: a table wider than its box (.table-wrap) scrolls from the keyboard too ---
// Such a box becomes a tab stop, named after its table's caption or the heading before it.
(() => {
  const mark = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const wide = wrap.scrollWidth > wrap.clientWidth + 1;
      if (wide && !wrap.hasAttribute("tabindex")) {
        const table = wrap.querySelector("table");
        const heading = wrap.previousElementSibling;
        const name = (table && table.caption && table.caption.textContent.trim())
          || (heading && /^H[2-4]$/.test(heading.tagName) && heading.textContent.trim());
        wrap.tabIndex = 0;
        wrap.dataset.scrollFocus = "1";
        if (name) { wrap.setAttribute("role", "region"); wrap.setAttribute("aria-label", name); }
      } else if (!wide && wrap.dataset.scrollFocus) {
        ["tabindex", "role", "aria-label", "data-scroll-focus"].forEach((a) => wrap.removeAttribute(a));
      }
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", mark);
  document.addEventListener("toggle", mark, true);
  document.addEventListener("htmx:afterSwap", mark);
})();
// --- two-step verification: the recovery codes' Print button (hidden without scripts) ---
(() => {
  const wire = () => document.querySelectorAll("[data-print]").forEach((b) => {
    b.hidden = false;
    b.addEventListener("click", () => window.print());
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
// --- a new API token's Copy button (hidden without scripts: the field can be selected) ---
(() => {
  const wire = () => document.querySelectorAll("[data-copy]").forEach((b) => {
    const field = document.getElementById(b.dataset.copy);
    if (!field || !navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", () => {
      field.select();
      navigator.clipboard.writeText(field.value).then(() => { b.textContent = b.dataset.copied; });
    });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
