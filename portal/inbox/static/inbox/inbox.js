// Messages page: "select all" check box, and downloads that show their progress.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const name = all.getAttribute("data-check-all");
  document.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});

function filenameFrom(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = header.match(/filename\*=utf-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const plain = header.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1] : fallback;
}

// A download form posts with fetch, reads the answer chunk by chunk to show how far it
// got, then hands the file to the browser. Without JavaScript the form posts normally.
async function progressDownload(form, submitter) {
  const box = form.querySelector(".progress");
  const bar = box.querySelector("progress");
  const text = box.querySelector(".progress-text");
  const data = new FormData(form);
  if (submitter && submitter.name) data.set(submitter.name, submitter.value);
  // Check boxes in the table belong to the form through their form= attribute.
  box.hidden = false;
  bar.removeAttribute("value");
  text.textContent = form.dataset.preparing || "…";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    // A big file is made in the background: the answer is its page (progress, then Download).
    if (response.redirected && !response.headers.get("Content-Disposition")) {
      window.location.assign(response.url);
      return;
    }
    const total = Number(response.headers.get("Content-Length")) || 0;
    const reader = response.body.getReader();
    const chunks = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (total) {
        bar.value = Math.round((received / total) * 100);
        text.textContent = `${bar.value} %`;
      }
    }
    const blob = new Blob(chunks, { type: response.headers.get("Content-Type") || "" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filenameFrom(response, "download");
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    bar.value = 100;
    text.textContent = form.dataset.done || "100 %";
  } catch (err) {
    text.textContent = form.dataset.failed || "Error";
  } finally {
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-progress-download]");
  if (!form || !window.fetch || !window.ReadableStream) return;
  event.preventDefault();
  progressDownload(form, event.submitter);
});

// The live inbox counts, in the tab's title, the messages that arrived since the page was
// opened or last seen: "(3) Inbox / Messages · …". They are seen, and the count goes, when
// the tab comes back to the front (focus, visibility) or the person clicks or types in it.
(() => {
  const base = document.title;
  const known = new Set();
  let fresh = 0;
  const show = () => { document.title = fresh ? `(${fresh}) ${base}` : base; };
  const seen = () => { if (fresh) { fresh = 0; show(); } };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("#message-rows tr[id^='msg-']").forEach((row) => known.add(row.id));
  });
  // (The poll swaps itself out: read the new one; ids already counted are not counted again.)
  document.addEventListener("htmx:afterSettle", () => {
    const poll = document.getElementById("inbox-poll");
    if (!poll) return;
    (poll.dataset.freshIds || "").split(" ").filter(Boolean).forEach((id) => {
      if (!known.has(`msg-${id}`)) { known.add(`msg-${id}`); fresh += 1; }
    });
    show();
  });
  window.addEventListener("focus", seen);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) seen(); });
  document.addEventListener("pointerdown", seen);
  document.addEventListener("keydown", seen);
})();
