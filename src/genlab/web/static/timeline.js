// The interactive timeline: items placed by year on a track that zooms and pans; filters by
// family and modality; arrow keys move the focus, Enter opens a milestone.
"use strict";
const TL = { all: [], shown: [], scale: 40, offset: 20, focus: -1, ready: false, drag: null };
const FIRST_YEAR = 1950;

window.initTimeline = async function () {
  if (TL.ready) return;
  TL.ready = true;
  const r = await api("/api/timeline");
  TL.all = r.milestones.sort((a, b) => a.year - b.year);
  const fill = (sel, key) => [...new Set(TL.all.map(m => m[key]))].sort()
    .forEach(v => sel.append(el("option", { value: v }, v)));
  fill($("#tl-family"), "family"); fill($("#tl-modality"), "modality");
  $("#tl-family").addEventListener("change", render);
  $("#tl-modality").addEventListener("change", render);
  $("#tl-zoom-in").addEventListener("click", () => zoom(1.4));
  $("#tl-zoom-out").addEventListener("click", () => zoom(1 / 1.4));
  const view = $("#tl-view");
  view.addEventListener("wheel", e => { e.preventDefault(); if (e.ctrlKey) zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2); else pan(-e.deltaY - e.deltaX); }, { passive: false });
  view.addEventListener("mousedown", e => { TL.drag = e.clientX; view.style.cursor = "grabbing"; });
  window.addEventListener("mousemove", e => { if (TL.drag !== null) { pan(e.clientX - TL.drag); TL.drag = e.clientX; } });
  window.addEventListener("mouseup", () => { TL.drag = null; view.style.cursor = "grab"; });
  view.addEventListener("keydown", onKey);
  render();
};

function x(year) { return (year - FIRST_YEAR) * TL.scale; }
function zoom(f) {
  const view = $("#tl-view"), mid = view.clientWidth / 2, year = (mid - TL.offset) / TL.scale + FIRST_YEAR;
  TL.scale = Math.min(400, Math.max(8, TL.scale * f));
  TL.offset = mid - (year - FIRST_YEAR) * TL.scale;
  render();
}
function pan(dx) { TL.offset += dx; place(); }
function place() { $("#tl-track").style.transform = "translateX(" + TL.offset + "px)"; }

function render() {
  const fam = $("#tl-family").value, mod = $("#tl-modality").value;
  TL.shown = TL.all.filter(m => (!fam || m.family === fam) && (!mod || m.modality === mod));
  const track = $("#tl-track");
  track.replaceChildren();
  const lanes = [];
  TL.shown.forEach((m, i) => {
    const left = x(m.year);
    let lane = lanes.findIndex(end => end < left);
    if (lane < 0) { lane = lanes.length; lanes.push(0); }
    lanes[lane] = left + 135;
    const item = el("div", { class: "tl-item" + (m.genlab_family ? " genlab" : ""), "data-index": i, role: "button" }, m.year + " " + m.name);
    item.style.left = left + "px"; item.style.top = (4 + (lane % 6) * 36) + "px";
    item.addEventListener("click", () => { TL.focus = i; open(); });
    track.append(item);
  });
  for (let y = FIRST_YEAR; y <= 2030; y += TL.scale > 30 ? 5 : 10) {
    const t = el("div", { class: "tl-year" }, String(y)); t.style.left = x(y) + "px"; track.append(t);
  }
  track.style.width = x(2030) + "px";
  TL.focus = Math.min(TL.focus, TL.shown.length - 1);
  mark(); place();
  $("#tl-detail").textContent = TL.shown.length + " milestones shown.";
}
function mark() {
  document.querySelectorAll(".tl-item").forEach(e => e.classList.toggle("focused", +e.dataset.index === TL.focus));
  const m = TL.shown[TL.focus];
  if (!m) return;
  const view = $("#tl-view"), left = x(m.year) + TL.offset;
  if (left < 0 || left > view.clientWidth - 140) { TL.offset = view.clientWidth / 3 - x(m.year); place(); }
}
function onKey(e) {
  if (e.key === "ArrowRight") TL.focus = Math.min(TL.shown.length - 1, TL.focus + 1);
  else if (e.key === "ArrowLeft") TL.focus = Math.max(0, TL.focus - 1);
  else if (e.key === "Enter") { open(); return; }
  else if (e.key === "+" || e.key === "=") { zoom(1.4); return; }
  else if (e.key === "-") { zoom(1 / 1.4); return; }
  else return;
  e.preventDefault(); mark();
}
function open() {
  const m = TL.shown[TL.focus];
  if (!m) return;
  mark();
  const d = $("#tl-detail");
  d.replaceChildren(el("h2", { id: "tl-title" }, m.year + " — " + m.name),
    el("p", {}, m.work), el("p", {}, "Why it mattered: " + m.why),
    el("p", { class: "note" }, "family: " + m.family + " · modality: " + m.modality));
  if (m.page) {
    const a = el("a", { href: "/" + m.page, id: "tl-live" }, "Try the " + m.genlab_family + " family live on the " + m.page + " page");
    d.append(el("p", {}, "")); d.lastChild.append(a);
  } else if (m.genlab_family) {
    d.append(el("p", { id: "tl-live" }, "In genlab (" + m.genlab_family + "); no playground page yet: use the Python API or `genlab sample`."));
  } else {
    d.append(el("p", { id: "tl-live" }, "Not in genlab: this milestone has no live demo here."));
  }
}
