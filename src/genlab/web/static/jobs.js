// The data pages: density and comparison, impute, compress/decompress, train.
"use strict";

// ------------------------------------------------------------------ density
function histogram(h) {
  const w = 400, hgt = 120, n = h.counts.length, top = Math.max(...h.counts, 1);
  const ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", hgt + 20); svg.setAttribute("id", "density-hist");
  h.counts.forEach((c, i) => {
    const r = document.createElementNS(ns, "rect");
    const bh = c / top * hgt;
    Object.entries({ x: i * w / n, y: hgt - bh, width: w / n - 1, height: bh, class: "bar" }).forEach(([k, v]) => r.setAttribute(k, v));
    svg.append(r);
  });
  const t = document.createElementNS(ns, "text");
  t.setAttribute("x", 0); t.setAttribute("y", hgt + 15); t.setAttribute("font-size", 11);
  t.textContent = "log p from " + h.edges[0].toFixed(1) + " to " + h.edges[h.edges.length - 1].toFixed(1) + " nats";
  svg.append(t);
  return svg;
}
$("#density-form").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/api/density", { method: "POST", body: new FormData(e.target) });
  const flagged = r.anomaly.filter(x => x).length;
  const rows = r.log_prob.map((v, i) => [i, v, r.anomaly[i] ? "anomaly" : ""]);
  $("#density-out").replaceChildren(
    el("p", { id: "density-summary" }, r.data + ": " + r.log_prob.length + " rows, " + flagged + " flagged as anomalies."),
    el("p", { class: "note", id: "density-rule" }, "Threshold rule: " + r.threshold_rule),
    histogram(r.histogram),
    table(["row", "log p (nats)", "flag"], rows.slice(0, 200), i => r.anomaly[i] ? "anomaly" : ""));
  showCode(r);
});
$("#compare-form").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/api/compare", { method: "POST", body: new FormData(e.target) });
  $("#compare-out").replaceChildren(el("p", {}, "on " + r.data + ", best first:"), table(r.columns, r.rows));
  showCode(r);
});

// ------------------------------------------------------------------- impute
$("#impute-sample").addEventListener("click", async () => {
  const r = await api("/api/impute/example");
  const dt = new DataTransfer();
  dt.items.add(new File([r.csv], r.name, { type: "text/csv" }));
  $("#impute-form").elements.file.files = dt.files;
});
$("#impute-form").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/api/impute", { method: "POST", body: new FormData(e.target) });
  const t = el("table", { id: "impute-table" }), head = el("tr");
  r.columns.forEach(c => head.append(el("th", {}, c))); t.append(head);
  r.preview.forEach(row => {
    const tr = el("tr");
    row.forEach(cell => {
      let text = cell.value === null ? "" : String(cell.value);
      if (cell.interval) text += " [" + cell.interval[0] + ", " + cell.interval[1] + "]";
      tr.append(el("td", cell.imputed ? { class: "imputed" } : {}, text));
    });
    t.append(tr);
  });
  const links = el("p");
  links.append(download("completed.csv", r.completed_csv, "text/csv"), " ", download("imputations.csv", r.multiple_csv, "text/csv"));
  $("#impute-out").replaceChildren(el("p", {}, r.n_holes + " holes filled; imputed cells shaded, with their interval:"), t, links);
  showCode(r);
});

// ----------------------------------------------------------------- compress
$("#compress-form").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/api/compress", { method: "POST", body: new FormData(e.target) });
  const rows = Object.entries(r.sizes).map(([k, v]) => [k, v, (v / r.sizes.raw).toFixed(3)]);
  const link = download("data.glz", new Blob([b64bytes(r.glz)], { type: "application/octet-stream" }));
  link.id = "glz-link";
  $("#compress-out").replaceChildren(el("p", {}, r.items + " items coded."), table(["method", "bytes", "of raw"], rows), link);
  showCode(r);
});
$("#decompress-form").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/api/decompress", { method: "POST", body: new FormData(e.target) });
  const out = $("#decompress-out");
  out.replaceChildren(el("p", { id: "decompress-summary" }, r.items + " items decoded."));
  if (r.images) { const g = el("div", { class: "grid" }); images(g, r.images, "decoded"); out.append(g); }
  if (r.npy) out.append(download("data.npy", new Blob([b64bytes(r.npy)])));
  if (r.csv) out.append(download("data.csv", r.csv, "text/csv"));
  showCode(r);
});

// -------------------------------------------------------------------- train
function lossCurve(losses) {
  const c = $("#train-loss"), ctx = c.getContext("2d");
  ctx.clearRect(0, 0, c.width, c.height);
  const ys = losses.flat().filter(v => v !== null && isFinite(v));
  if (ys.length < 2) return;
  const lo = Math.min(...ys), hi = Math.max(...ys), n = losses.length;
  [[0, "#36c"], [1, "#c63"]].forEach(([k, color]) => {
    ctx.strokeStyle = color; ctx.beginPath();
    losses.forEach((l, i) => {
      if (l[k] === null) return;
      const x = i / Math.max(n - 1, 1) * (c.width - 10) + 5, y = c.height - 5 - (l[k] - lo) / (hi - lo || 1) * (c.height - 10);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
}
$("#train-form").addEventListener("submit", async e => {
  e.preventDefault();
  let r = await api("/api/train", { method: "POST", body: new FormData(e.target) });
  showCode(r);
  while (r.state === "running") {
    $("#train-bar").value = r.fraction;
    $("#train-state").textContent = "training " + r.family + " on " + r.data + ": " + r.elapsed + " s";
    await new Promise(ok => setTimeout(ok, 500));
    r = await api("/api/train/" + r.id);
  }
  $("#train-bar").value = r.fraction;
  lossCurve(r.losses);
  if (r.state === "done") {
    $("#train-state").textContent = "done in " + r.elapsed + " s: model " + r.model + " is now on every page";
    $("#train-out").replaceChildren(el("p", { id: "train-done" }, "saved as " + r.model));
    await loadModels();
  } else {
    $("#train-state").textContent = "failed";
    showError(r.error);
  }
});
