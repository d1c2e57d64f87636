// Call log: the Details/Voice dialog, the audio player, and "select all".
function fmt(seconds) {
  if (!isFinite(seconds)) seconds = 0;
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function initPlayer(root) {
  if (root.dataset.ready) return;
  root.dataset.ready = "1";
  const audio = root.querySelector("[data-audio]");
  const play = root.querySelector("[data-play]");
  const seek = root.querySelector("[data-seek]");
  const time = root.querySelector("[data-time]");
  const speed = root.querySelector("[data-speed]");
  let dragging = false;
  const show = () => {
    const d = isFinite(audio.duration) ? audio.duration : Number(seek.max) || 0;
    if (d) seek.max = d;
    if (!dragging) seek.value = audio.currentTime;
    time.textContent = `${fmt(audio.currentTime)} / ${fmt(d)}`;
    play.textContent = audio.paused ? play.dataset.labelPlay : play.dataset.labelPause;
  };
  play.addEventListener("click", () => { if (audio.paused) audio.play(); else audio.pause(); });
  root.querySelector("[data-back]").addEventListener("click", () => {
    audio.currentTime = Math.max(0, audio.currentTime - 10);
  });
  root.querySelector("[data-forward]").addEventListener("click", () => {
    const d = isFinite(audio.duration) ? audio.duration : audio.currentTime + 10;
    audio.currentTime = Math.min(d, audio.currentTime + 10);
  });
  seek.addEventListener("input", () => { dragging = true; time.textContent = `${fmt(seek.value)} / ${fmt(audio.duration)}`; });
  seek.addEventListener("change", () => { dragging = false; audio.currentTime = Number(seek.value); });
  speed.addEventListener("change", () => { audio.playbackRate = Number(speed.value); });
  ["timeupdate", "loadedmetadata", "play", "pause", "ended", "seeked"].forEach((e) => audio.addEventListener(e, show));
  show();
}

function initAll(scope) {
  scope.querySelectorAll("[data-player]").forEach(initPlayer);
}

// A link marked data-autoplay (the Date/Time, the phone card's play button) plays as the
// player opens.
let autoplay = false;

document.addEventListener("DOMContentLoaded", () => initAll(document));
document.addEventListener("htmx:afterSwap", (event) => {
  initAll(event.target);
  const dialog = document.getElementById("call-dialog");
  if (!dialog || event.target.id !== "call-dialog-body") return;
  if (!dialog.open) dialog.showModal();
  const audio = autoplay && event.target.querySelector("[data-audio]");
  autoplay = false;
  if (audio) audio.play().catch(() => {});
});

// Closing the dialog stops the sound.
document.addEventListener("close", (event) => {
  if (event.target.id !== "call-dialog") return;
  event.target.querySelectorAll("audio").forEach((a) => a.pause());
}, true);

// With htmx, Details/Voice open in the dialog instead of following the link.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-open-dialog]");
  if (link && window.htmx) {
    event.preventDefault();
    autoplay = link.hasAttribute("data-autoplay");
  }
});

document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const body = document.querySelector(`tbody[data-scope="${all.dataset.scope}"]`);
  if (!body) return;
  body.querySelectorAll('input[type=checkbox][name="ids"]').forEach((box) => { box.checked = all.checked; });
});
