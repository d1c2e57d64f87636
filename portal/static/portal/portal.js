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
