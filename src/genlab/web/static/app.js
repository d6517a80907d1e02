// The playground's shell: which page the path names, the model lists, errors, the
// "reproduce this" box; and the image pages (generate, inpaint, interpolate).
"use strict";
const G = { models: [] };

function $(sel) { return document.querySelector(sel); }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  if (text !== undefined) e.textContent = text;
  return e;
}
function showError(message) {
  const box = $("#error");
  box.textContent = message ? "Error: " + message : "";
  box.hidden = !message;
}
function showCode(result) {
  if (!result || !result.python) return;
  $("#code").hidden = false;
  $("#code-python").textContent = "import genlab\n" + result.python;
  $("#code-cli").textContent = result.cli;
}
// Every call goes through here: an error becomes one readable line on the page, and the
// action that asked simply stops (a promise that never settles: nothing half-done runs on).
const STOP = () => new Promise(() => {});
async function api(path, options) {
  showError("");
  let response;
  try { response = await fetch(path, options); }
  catch (e) { showError("the server did not answer (" + e + ")"); return STOP(); }
  let body = null;
  try { body = await response.json(); } catch (e) { body = { error: response.statusText }; }
  if (!response.ok) { showError(body.error || response.statusText); return STOP(); }
  return body;
}
function postJSON(path, data) {
  return api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(data) });
}
function formValues(form) {
  const out = {};
  new FormData(form).forEach((v, k) => { if (!(v instanceof File)) out[k] = v; });
  return out;
}
function images(container, urls, cls) {
  container.replaceChildren(...urls.map((u, i) => el("img", { src: u, alt: "image " + i, class: cls || "" })));
}
function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type: type || "text/plain" });
  const a = el("a", { href: URL.createObjectURL(blob), download: name }, "download " + name);
  return a;
}
function b64bytes(b64) { return Uint8Array.from(atob(b64), c => c.charCodeAt(0)); }

function hasCap(m, cap) {
  if (cap === "likelihood") return m.capabilities.includes("exact_likelihood") || m.capabilities.includes("likelihood_bound");
  return m.capabilities.includes(cap);
}
async function loadModels() {
  const body = await api("/api/models");
  G.models = body.models;
  document.querySelectorAll("select[data-models]").forEach(sel => {
    const keep = sel.value;
    const fit = G.models.filter(m => hasCap(m, sel.dataset.models) && (!sel.dataset.images || m.image_shape.length));
    sel.replaceChildren(...fit.map(m => el("option", { value: m.name }, m.name + " (" + m.family + ")")));
    if (keep && fit.some(m => m.name === keep)) sel.value = keep;
  });
  const list = $("#model-list");
  list.replaceChildren(el("ul", {}));
  G.models.forEach(m => list.firstChild.append(el("li", {}, m.name + ": " + m.family + " — " + m.capabilities.join(", "))));
  if (!G.models.length) list.textContent = "no models yet";
  const p = body.progress, banner = $("#progress");
  banner.hidden = p.state !== "training" && p.state !== "failed";
  if (p.state === "training") {
    banner.textContent = "Training quick models for the first start: " + p.done + " of " + p.total + " done (now " + p.current + ")…";
    setTimeout(loadModels, 1500);
  } else if (p.state === "failed") banner.textContent = "Training the quick models failed: " + p.error;
  syncClasses();
}
function syncClasses() {
  const form = $("#generate-form"), sel = form.elements.condition;
  const m = G.models.find(x => x.name === form.elements.model.value);
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, "any"), ...(m ? m.classes : []).map(c => el("option", { value: c }, String(c))));
  sel.value = m && m.classes.map(String).includes(keep) ? keep : "";
  $("#generate-note").textContent = m && m.family === "diffusion"
    ? "Diffusion: genlab's Diffusion.sample returns only the final images, not the denoising trajectory, so there is no slider over the steps yet."
    : "";
}

function showPage() {
  const name = location.pathname.replace(/^\/+/, "").split("/")[0] || "home";
  document.querySelectorAll(".page").forEach(p => p.classList.toggle("shown", p.id === "page-" + name));
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.dataset.page === name));
  document.title = "genlab playground — " + name;
  if (name === "timeline" && window.initTimeline) window.initTimeline();
  if (name === "inpaint") loadDigit();
}

// ----------------------------------------------------------------- generate
$("#generate-form").addEventListener("submit", async e => {
  e.preventDefault();
  const v = formValues(e.target);
  const req = { model: v.model, seed: +v.seed, n: +v.n, condition: v.condition === "" ? null : +v.condition };
  const r = await postJSON("/api/generate", req);
  const out = $("#generate-out");
  if (r.images) images(out, r.images, "sample");
  else out.replaceChildren(table(r.columns, r.rows));
  showCode(r);
});
$("#generate-form").elements.model.addEventListener("change", syncClasses);

function table(columns, rows, rowClass) {
  const t = el("table");
  const head = el("tr"); columns.forEach(c => head.append(el("th", {}, c))); t.append(head);
  rows.forEach((r, i) => {
    const tr = el("tr", rowClass ? { class: rowClass(i) } : {});
    r.forEach(v => tr.append(el("td", {}, v === null ? "" : String(v))));
    t.append(tr);
  });
  return t;
}

// ------------------------------------------------------------------ inpaint
const INP = { pixels: null, mask: new Array(64).fill(false), drawing: false, value: true };
async function loadDigit() {
  const r = await api("/api/digit/" + (+$("#inpaint-form").elements.index.value || 0));
  INP.pixels = r.pixels; drawCanvas();
}
function drawCanvas() {
  const c = $("#inpaint-canvas"), ctx = c.getContext("2d"), s = c.width / 8;
  if (!INP.pixels) return;
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
    const g = 255 - Math.round(INP.pixels[i][j] / 16 * 255);
    ctx.fillStyle = INP.mask[i * 8 + j] ? "#e33" : "rgb(" + g + "," + g + "," + g + ")";
    ctx.fillRect(j * s, i * s, s, s);
  }
}
function paint(e) {
  const c = $("#inpaint-canvas"), r = c.getBoundingClientRect();
  const j = Math.floor((e.clientX - r.left) / r.width * 8), i = Math.floor((e.clientY - r.top) / r.height * 8);
  if (i < 0 || i > 7 || j < 0 || j > 7) return;
  INP.mask[i * 8 + j] = INP.value; drawCanvas();
}
const canvas = $("#inpaint-canvas");
canvas.addEventListener("mousedown", e => { INP.drawing = true; INP.value = !(e.button === 2 || e.shiftKey); paint(e); });
canvas.addEventListener("mousemove", e => { if (INP.drawing) paint(e); });
window.addEventListener("mouseup", () => { INP.drawing = false; });
canvas.addEventListener("contextmenu", e => e.preventDefault());
$("#inpaint-form").elements.index.addEventListener("change", loadDigit);
$("#inpaint-half").addEventListener("click", () => { INP.mask = INP.mask.map((_, k) => k >= 32); drawCanvas(); });
$("#inpaint-clear").addEventListener("click", () => { INP.mask.fill(false); drawCanvas(); });
$("#inpaint-form").addEventListener("submit", async e => {
  e.preventDefault();
  const v = formValues(e.target);
  const r = await postJSON("/api/inpaint", { model: v.model, index: +v.index, draws: +v.draws, mask: INP.mask });
  const out = $("#inpaint-out");
  images(out, r.draws, "draw");
  out.prepend(el("img", { src: r.masked, alt: "masked digit", class: "masked" }));
  out.append(el("p", { class: "note", id: "inpaint-check" },
    r.observed_unchanged ? "observed pixels unchanged in every draw" : "WARNING: observed pixels changed"));
  showCode(r);
});

// -------------------------------------------------------------- interpolate
$("#interpolate-form").addEventListener("submit", async e => {
  e.preventDefault();
  const v = formValues(e.target);
  const r = await postJSON("/api/interpolate", { model: v.model, a: +v.a, b: +v.b, steps: +v.steps });
  const out = $("#interpolate-out");
  const slider = el("input", { type: "range", min: 0, max: r.path.length - 1, value: 0, id: "interpolate-slider" });
  const big = el("img", { src: r.path[0], alt: "point on the path", id: "interpolate-point", class: "big" });
  big.style.width = "160px"; big.style.imageRendering = "pixelated";
  const strip = el("div", { class: "strip" });
  images(strip, r.path, "step");
  slider.addEventListener("input", () => { big.src = r.path[+slider.value]; });
  out.replaceChildren(el("div", { class: "strip" }), slider, big, strip);
  images(out.firstChild, r.ends, "end");
  showCode(r);
});

window.addEventListener("popstate", showPage);
// after every script has loaded (timeline.js defines initTimeline)
window.addEventListener("DOMContentLoaded", () => { showPage(); loadModels().catch(() => {}); });
