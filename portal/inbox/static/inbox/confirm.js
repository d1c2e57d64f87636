// "Confirm" on an urgent message (the list's rows and the message's page). The forms post
// without JavaScript; htmx sends them in the background and swaps the row or the page. An
// answer that refuses (403: a staff member viewing the account as the client) shows its
// message in the page's answer area; any other failed answer sends the form again the plain
// way, so that the browser shows the portal's own page for it.
document.addEventListener("htmx:beforeSwap", (event) => {
  // (The event fires on the swap's target, the row or the page: the form is the request's elt.)
  const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
  const form = elt && elt.closest && elt.closest("form.confirm-form");
  const status = event.detail.xhr.status;
  if (!form || status < 400) return;
  const area = document.getElementById("confirm-answer");
  if (status === 403 && area) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    event.detail.target = area;
    event.detail.swapOverride = "innerHTML";
    event.detail.selectOverride = "[role=alert]";
    return;
  }
  event.detail.shouldSwap = false;
  form.submit();
});
