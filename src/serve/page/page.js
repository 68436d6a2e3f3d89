// pactsim live: edit a scenario's values, re-run a moment after each edit, show the results.
// Plain JavaScript, no framework; everything comes from this server's JSON API.
"use strict";

const $ = (id) => document.getElementById(id);
const S = {
  name: null,      // scenario name
  info: null,      // GET /api/scenarios/{name}
  params: [],      // {p, original, value, row, inputs, error}
  client: Math.random().toString(36).slice(2) + Date.now().toString(36),
  generation: 0,
  timer: null,
  head: null,      // [state, pact] of the headline
  urls: [],        // object URLs of the charts shown
  view: null,      // last answer of /api/view
  explained: null, // [state, pact] shown in the explain panel
  story: null,     // the request of the story shown: {replicate} or {pick}
  joint: null,     // the queries of the joint outcome shown: {queries, cells}
};
const DELAY = 120; // ms after the last edit before re-running

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  const text = await r.text();
  try { data = JSON.parse(text); } catch (_) { data = text; }
  return { status: r.status, ok: r.ok, data };
}

function status(text, busy) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("busy", !!busy);
}

// ---- controls ---------------------------------------------------------------------------

function fmt(x) {
  if (typeof x !== "number") return String(x);
  return String(Number(x.toPrecision(12)));
}

function setValueText(p) {
  const v = p.value;
  if (p.p.kind === "choice" || p.p.kind === "date") return JSON.stringify(String(v));
  return fmt(v);
}

function isChanged(p) {
  return String(p.value) !== String(p.original);
}

function sets() {
  return S.params.filter(isChanged).map((p) => `${p.p.path}=${setValueText(p)}`);
}

function label(path, group) {
  const parts = path.split(".");
  // model.weights.security -> weights.security; state.FIN.support.start -> support.start
  return parts.slice(group === "model" || group === "scenario" ? 1 : 2).join(".") || path;
}

function control(p) {
  const id = "v-" + p.path.replace(/[^A-Za-z0-9_-]/g, "_");
  const item = { p, original: p.value, value: p.value, inputs: [] };
  const mark = el("span", { class: "mark", "aria-hidden": "true" });
  const error = el("div", { class: "error", id: id + "-err", "aria-live": "polite" });
  const reset = el("button", { type: "button", class: "reset", title: "Reset to the file's value", "aria-label": "Reset " + p.path, text: "↺" });
  const name = el("label", { class: "name", for: id, title: p.description ? `${p.path}: ${p.description}` : p.path }, label(p.path, p.group), " ", mark);
  // What the value means (one line; the whole text on hover and for screen readers).
  const hint = el("div", { class: "hint", id: id + "-hint", title: p.description || "", text: p.description || "" });
  const edit = el("div", { class: "edit" });
  const changed = () => {
    const c = isChanged(item);
    row.classList.toggle("changed", c);
    mark.textContent = c ? "● changed" : "";
    countChanged();
    schedule();
  };
  if (p.kind === "number" || p.kind === "integer") {
    const step = p.kind === "integer" ? 1 : "any";
    let lo = p.slider_min, hi = p.slider_max;
    if (p.value < lo) lo = p.value;
    if (p.value > hi) hi = p.value;
    const range = el("input", { type: "range", min: lo, max: hi, step: p.kind === "integer" ? 1 : (hi - lo) / 200 || 0.01, value: p.value, "aria-label": p.path + " slider", tabindex: "-1" });
    const num = el("input", { type: "number", id, step, value: fmt(p.value), "aria-describedby": id + "-err" });
    if (p.min !== null && p.min !== undefined) num.min = p.min;
    if (p.max !== null && p.max !== undefined) num.max = p.max;
    range.addEventListener("input", () => {
      item.value = p.kind === "integer" ? Math.round(Number(range.value)) : Number(Number(range.value).toPrecision(6));
      num.value = fmt(item.value);
      changed();
    });
    num.addEventListener("input", () => {
      if (num.value.trim() === "") return;
      const v = Number(num.value);
      item.value = Number.isFinite(v) ? v : num.value;
      if (Number.isFinite(v)) range.value = v;
      changed();
    });
    range.removeAttribute("tabindex"); // sliders are keyboard-usable too (arrow keys)
    edit.append(range, num);
    item.inputs = [range, num];
    item.set = (v) => { item.value = v; range.value = v; num.value = fmt(v); };
  } else if (p.kind === "bool") {
    const box = el("input", { type: "checkbox", id, role: "switch", "aria-describedby": id + "-err" });
    box.checked = !!p.value;
    box.addEventListener("change", () => { item.value = box.checked; changed(); });
    edit.append(box, el("span", { class: "note", text: "on / off" }));
    item.inputs = [box];
    item.set = (v) => { item.value = v; box.checked = v; };
  } else if (p.kind === "choice") {
    const sel = el("select", { id, "aria-describedby": id + "-err" });
    for (const c of p.choices) sel.append(el("option", { value: c, text: c }));
    sel.value = p.value;
    sel.addEventListener("change", () => { item.value = sel.value; changed(); });
    edit.append(sel);
    item.inputs = [sel];
    item.set = (v) => { item.value = v; sel.value = v; };
  } else {
    const t = el("input", { type: "text", id, value: p.value, pattern: "\\d{4}-\\d{2}(-\\d{2})?", placeholder: "YYYY-MM-DD", "aria-describedby": id + "-err" });
    t.addEventListener("input", () => { item.value = t.value; changed(); });
    edit.append(t);
    item.inputs = [t];
    item.set = (v) => { item.value = v; t.value = v; };
  }
  reset.addEventListener("click", () => { item.set(item.original); changed(); });
  edit.append(reset);
  const row = el("div", { class: "row", "data-path": p.path }, name, hint, edit, error);
  for (const input of row.querySelectorAll("input, select")) input.setAttribute("aria-describedby", id + "-hint");
  item.row = row;
  item.error = error;
  return item;
}

function buildControls(info) {
  const groups = $("groups");
  groups.textContent = "";
  S.params = [];
  const order = ["model", "states", "relations", "pacts", "events", "scenario"];
  for (const g of order) {
    const ps = info.parameters.filter((p) => p.group === g);
    if (!ps.length) continue;
    const det = el("details", { class: "group", "data-group": g }, el("summary", { text: `${g} (${ps.length})` }));
    if (g === "model" || g === "events") det.open = true;
    const subs = new Map();
    for (const p of ps) {
      const parts = p.path.split(".");
      let key = null;
      if (g === "model") key = parts.length > 2 ? parts[1] : null;
      else if (g !== "scenario") key = parts[0] === "grievance" ? "grievance " + parts[1] : parts[1];
      const item = control(p);
      S.params.push(item);
      if (key === null) { det.append(item.row); continue; }
      if (!subs.has(key)) {
        const sub = el("details", { class: "sub" }, el("summary", { text: key }));
        subs.set(key, sub);
        det.append(sub);
      }
      subs.get(key).append(item.row);
    }
    groups.append(det);
  }
  countChanged();
}

function countChanged() {
  const n = S.params.filter(isChanged).length;
  $("changed-count").textContent = n ? `${n} changed` : "no changes";
}

function applyFilter() {
  const q = $("filter").value.trim().toLowerCase();
  for (const it of S.params) it.row.hidden = q !== "" && !it.p.path.toLowerCase().includes(q) && !(it.p.description || "").toLowerCase().includes(q);
  for (const d of document.querySelectorAll("#groups details")) {
    const visible = [...d.querySelectorAll(".row")].some((r) => !r.hidden);
    d.hidden = !visible;
    if (q !== "") d.open = visible;
  }
}

// ---- running ----------------------------------------------------------------------------

function schedule() {
  clearTimeout(S.timer);
  S.timer = setTimeout(runView, DELAY);
}

// The width the charts are shown at, in CSS pixels: the server draws them that wide, so their
// text stays readable on a narrow screen instead of a wide drawing being scaled down.
function chartWidth() {
  const box = $("results");
  const w = box ? box.clientWidth - 38 : 0;  // its padding and the figure's border
  return Math.max(320, Math.min(2000, Math.round(w > 0 ? w : window.innerWidth - 40)));
}

function request(extra) {
  const body = { scenario: S.name, set: sets(), chart_width: chartWidth() };
  const runs = Number($("runs").value), seed = Number($("seed").value);
  if ($("runs").value !== "") body.runs = runs;
  if ($("seed").value !== "") body.seed = seed;
  return Object.assign(body, extra || {});
}

async function runView() {
  clearTimeout(S.timer);
  if (!S.name) return;
  const generation = ++S.generation;
  const t0 = performance.now();
  status("running…", true);
  $("results").classList.add("stale");
  let r;
  try {
    r = await api("POST", "/api/view", request({ client: S.client, generation }));
  } catch (e) {
    if (generation === S.generation) { status("the server did not answer"); showBanner(String(e)); }
    return;
  }
  if (generation !== S.generation || r.status === 409) return; // a newer edit is on its way
  $("results").classList.remove("stale");
  clearErrors();
  if (!r.ok) {
    status(`not run (HTTP ${r.status})`);
    showErrors(r.data);
    return;
  }
  render(r.data);
  const ms = performance.now() - t0;
  status(`updated in ${(ms / 1000).toFixed(2)} s (${r.data.runs} runs, seed ${r.data.seed})`);
  document.body.dataset.generation = String(generation);
}

function clearErrors() {
  $("banner").hidden = true;
  for (const it of S.params) { it.error.textContent = ""; it.row.classList.remove("invalid"); }
}

function showBanner(text) {
  $("banner").textContent = text;
  $("banner").hidden = false;
}

function showErrors(data) {
  const msg = (data && data.error) || String(data);
  showBanner("error: " + msg);
  for (const pr of (data && data.problems) || []) {
    const it = S.params.find((x) => x.p.path === pr.key);
    if (it) {
      it.error.textContent = pr.message;
      it.row.classList.add("invalid");
      let d = it.row.parentElement;
      while (d && d.tagName === "DETAILS") { d.open = true; d = d.parentElement; }
    }
  }
}

// ---- results ----------------------------------------------------------------------------

function chartFigure(c) {
  const url = URL.createObjectURL(new Blob([c.svg], { type: "image/svg+xml" }));
  S.urls.push(url);
  return el("figure", {}, el("img", { src: url, alt: c.title + ". " + c.caption }), el("figcaption", { text: c.caption }));
}

function colour(p) {
  // Blues (colour-blind-safe sequential), light to dark; text turns white on dark cells.
  const a = [247, 251, 255], b = [8, 69, 148];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * p));
  return `rgb(${c.join(",")})`;
}

function render(v) {
  S.view = v;
  for (const u of S.urls) URL.revokeObjectURL(u);
  S.urls = [];
  const s = v.summary;
  const diffs = new Map(v.compare.differences.map((d) => [d.pact + "\u0000" + d.state, d]));
  // Headline: the pair chosen when the scenario was opened.
  if (!S.head) {
    let best = null;
    for (const pact of s.pacts) for (const st of s.states) {
      const m = (s.membership[pact.id] || {})[st.id];
      if (!m) continue;
      const score = m.p_final < 0.995 ? m.p_joined : m.p_joined - 1;
      if (!best || score > best[0]) best = [score, st.id, pact.id];
    }
    S.head = best ? [best[1], best[2]] : null;
  }
  const h = $("headline");
  h.textContent = "";
  if (S.head) {
    const [st, pa] = S.head;
    const m = (s.membership[pa] || {})[st];
    const d = diffs.get(pa + "\u0000" + st);
    const p = m ? m.p_final : NaN;
    const base = d ? d.p_a : p;
    h.dataset.p = p.toFixed(3);
    h.append(`P(${st} in ${pa} at the end) = `, el("strong", { text: p.toFixed(2) }), ` · as written ${base.toFixed(2)}`);
  }
  // Targets
  const t = $("targets");
  t.textContent = "";
  if (s.targets && s.targets.length) {
    const met = s.targets.filter((x) => x.met).length;
    const ul = el("ul", { class: "targets" });
    for (const x of s.targets) {
      ul.append(el("li", { class: x.met ? "met" : "missed", text: `${x.met ? "✓ met" : "✗ MISSED"} — ${x.label}: ${x.observed_text} vs ${x.value} ± ${x.tolerance}` }));
    }
    t.append(el("details", {}, el("summary", { text: `Targets: ${met} of ${s.targets.length} met` }), ul));
  }
  // Table
  const table = $("table");
  table.textContent = "";
  const head = el("tr", {}, el("th", { class: "state", scope: "col", text: "state" }));
  for (const pact of s.pacts) head.append(el("th", { scope: "col", text: pact.id }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (const st of s.states) {
    const tr = el("tr", {}, el("th", { class: "state", scope: "row", text: st.id === st.name ? st.id : `${st.id} ${st.name}` }));
    for (const pact of s.pacts) {
      const m = (s.membership[pact.id] || {})[st.id];
      if (!m) { tr.append(el("td")); continue; }
      const d = diffs.get(pact.id + "\u0000" + st.id);
      const small = d ? el("small", { class: d.difference > 0 ? "up" : "down", text: `${d.difference > 0 ? "▲ +" : "▼ "}${d.difference.toFixed(2)}` }) : null;
      const pressed = S.explained && S.explained[0] === st.id && S.explained[1] === pact.id;
      const b = el("button", {
        type: "button", "data-state": st.id, "data-pact": pact.id, "aria-pressed": pressed ? "true" : "false",
        title: `Explain ${st.id} and ${pact.id}`, "aria-label": `${st.id} in ${pact.id}: ${m.p_final.toFixed(2)}. Explain.`,
        onclick: () => explain(st.id, pact.id),
      }, m.p_final.toFixed(2), small);
      b.style.background = colour(m.p_final);
      if (m.p_final > 0.55) { b.style.color = "#fff"; if (small) small.style.color = "#fff"; }
      tr.append(el("td", {}, b));
    }
    body.append(tr);
  }
  table.append(body);
  // Comparison
  const n = v.compare.differences.length;
  $("compare-note").textContent = (v.compare.common_random_numbers ? "Both variants on the same seed and replicates (common random numbers): a difference comes from the edit, not the noise. " : "") +
    (n ? `${n} state–pact probabilities move by 0.005 or more.` : "No end-of-run probability moves by 0.005 or more.");
  const cc = $("compare-charts");
  cc.textContent = "";
  for (const c of v.compare.charts) if (c.stem === "difference" || c.stem === "pact_size") cc.append(chartFigure(c));
  const more = el("details", {}, el("summary", { text: "Membership maps side by side" }));
  for (const c of v.compare.charts) if (c.stem.startsWith("membership_")) more.append(chartFigure(c));
  cc.append(more);
  const ch = $("charts");
  ch.textContent = "";
  for (const c of v.charts) ch.append(chartFigure(c));
  formedTable(v.formed || []);
  if (S.explained) explain(S.explained[0], S.explained[1]);
  if (S.story) story(S.story);
  if (S.joint) joint(S.joint);
}

// Pacts that formed: one row per formed pact (the view's `formed`), at most 30, hidden when
// the templates formed none (or the scenario has none).
function formedTable(rows) {
  const sec = $("formed-section");
  const table = $("formed");
  table.textContent = "";
  sec.hidden = rows.length === 0;
  if (!rows.length) return;
  const head = el("tr", {}, el("th", { scope: "col", text: "pact" }), el("th", { scope: "col", text: "template" }), el("th", { scope: "col", text: "founders" }));
  for (const x of rows[0].variants) head.append(el("th", { scope: "col", text: `formed (${x.name})` }));
  head.append(el("th", { scope: "col", text: "alive at the end" }), el("th", { scope: "col", text: "members at the end" }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (const r of rows.slice(0, 30)) {
    const tr = el("tr", { "data-pact": r.id }, el("th", { scope: "row", text: r.id }), el("td", { text: `${r.template} (${r.kind})` }), el("td", { text: r.founders.join(", ") }));
    for (const x of r.variants) tr.append(el("td", { class: "num", text: x.p_formed.toFixed(2) }));
    const last = r.variants[r.variants.length - 1];
    tr.append(el("td", { class: "num", text: last.p_alive_end.toFixed(2) }));
    tr.append(el("td", { text: r.members.slice(0, 8).map((m) => `${m.state} ${m.p_final.toFixed(2)}`).join(", ") }));
    body.append(tr);
  }
  table.append(body);
}

async function explain(state, pact) {
  S.explained = [state, pact];
  for (const b of document.querySelectorAll("#table button")) b.setAttribute("aria-pressed", String(b.dataset.state === state && b.dataset.pact === pact));
  const box = $("explain");
  box.hidden = false;
  box.textContent = `Explaining ${state} and ${pact}…`;
  const runs = Math.min(Number($("runs").value) || 1000, 500);
  const r = await api("POST", "/api/explain", request({ state, pact, runs }));
  if (!S.explained || S.explained[0] !== state || S.explained[1] !== pact) return;
  box.textContent = "";
  if (!r.ok) { box.textContent = "error: " + ((r.data && r.data.error) || r.status); return; }
  box.append(
    el("h2", { text: `Why ${state} joins ${pact} or not (${runs} replicates)` }),
    chartFigure(r.data.chart),
    el("details", {}, el("summary", { text: "The table" }), el("pre", { text: r.data.table })),
    el("button", { type: "button", text: "Close", onclick: () => { S.explained = null; box.hidden = true; } }),
  );
}

// One replicate's story: by number, typical, or the first where an expression holds.
async function story(which) {
  S.story = which;
  const box = $("story");
  box.hidden = false;
  box.textContent = which.pick ? `Picking ${which.pick}…` : `Telling replicate ${which.replicate}…`;
  const r = await api("POST", "/api/story", request(which));
  if (S.story !== which) return;
  box.textContent = "";
  if (!r.ok) { box.textContent = "error: " + ((r.data && r.data.error) || r.status); return; }
  const d = r.data;
  $("story-k").value = d.replicate;
  box.append(el("h3", { text: `Replicate ${d.replicate} (seed ${d.seed})` }));
  if (d.pick_sentence) box.append(el("p", { class: "note", text: d.pick_sentence }));
  box.append(
    chartFigure(d.chart),
    el("pre", { class: "chronicle", text: d.lines.map((l) => `${l.date}  ${l.text}`).join("\n") || "Nothing happened." }),
    el("button", { type: "button", text: "Close", onclick: () => { S.story = null; box.hidden = true; } }),
  );
}

// Joint outcomes: two cells (A, B, either negated) at one date, or an expression, answered
// over the same replicates as the table (POST /api/query).
function fillJoint(info) {
  // Pacts by id (their names are long), with the name as the option's tooltip.
  const fill = (sel, items, value, named) => {
    sel.textContent = "";
    for (const x of items) sel.append(el("option", { value: x.id, title: x.name, text: !named || x.id === x.name ? x.id : `${x.id} ${x.name}` }));
    if (value !== undefined) sel.value = value;
  };
  const [st, pa] = S.head || [info.states[0] && info.states[0].id, info.pacts[0] && info.pacts[0].id];
  const other = info.states.find((x) => x.id !== st) || info.states[0];
  fill($("joint-a-pact"), info.pacts, pa);
  fill($("joint-a-state"), info.states, st, true);
  fill($("joint-b-pact"), info.pacts, pa);
  fill($("joint-b-state"), info.states, other && other.id, true);
  const when = $("joint-when");
  when.textContent = "";
  const labels = info.round_labels;
  for (let r = labels.length - 1; r >= 0; r--) when.append(el("option", { value: r === labels.length - 1 ? "end" : labels[r], text: r === labels.length - 1 ? `the end (${labels[r]})` : labels[r] }));
}

function jointCells() {
  const cell = (x) => `${$(`joint-${x}-not`).checked ? "!" : ""}${$(`joint-${x}-pact`).value}.${$(`joint-${x}-state`).value}`;
  const w = $("joint-when").value;
  const at = w === "end" ? "" : ` @ ${w}`;
  const [a, b] = [cell("a"), cell("b")];
  return { cells: [a, b], queries: [`${a} & ${b}${at}`, `${a}${at}`, `${b}${at}`] };
}

const pct = (x) => x.toFixed(3);
const interval = (a) => `[${pct(a.wilson_low)}, ${pct(a.wilson_high)}]`;

async function joint(which) {
  S.joint = which;
  const box = $("joint");
  box.hidden = false;
  box.textContent = `Asking ${which.queries[0]}…`;
  const r = await api("POST", "/api/query", request({ queries: which.queries }));
  if (S.joint !== which) return;
  box.textContent = "";
  if (!r.ok) { box.textContent = "error: " + ((r.data && r.data.error) || r.status); return; }
  const ans = r.data.answers;
  const table = el("table", { class: "joint" });
  const row = (what, a) => table.append(el("tr", {}, el("th", { scope: "row", text: what }),
    el("td", { text: pct(a.p) }), el("td", { text: interval(a) }), el("td", { text: `${a.count} of ${a.runs}` })));
  table.append(el("tr", {}, el("th", { text: "" }), el("th", { text: "P" }), el("th", { text: "95% interval" }), el("th", { text: "replicates" })));
  if (which.cells) {
    const [a, b] = which.cells;
    const [both, pa, pb] = ans;
    row(`${a} and ${b}`, both);
    row(a, pa);
    row(b, pb);
    const indep = pa.p * pb.p;
    const cond = (k, n) => (n ? pct(k / n) : "—");
    box.append(el("h3", { text: `At ${both.label} (round ${both.round}), ${both.runs} replicates, seed ${r.data.seed}` }), table);
    const outside = indep < both.wilson_low || indep > both.wilson_high;
    const verdict = pa.count === 0 || pb.count === 0 || pa.count === pa.runs || pb.count === pb.runs
      ? "one of them holds in no replicate or in every one, so they cannot depend on each other here"
      : `they hold together ${indep < both.wilson_low ? "more often than" : indep > both.wilson_high ? "less often than" : "about as often as"} if they were independent (the product is ${outside ? "outside" : "inside"} the interval of both)`;
    box.append(
      el("p", { class: "verdict", text: `If independent: P(${a})·P(${b}) = ${pct(indep)} — ${verdict}.` }),
      el("p", { class: "note", text: `P(${a} | ${b}) = ${cond(both.count, pb.count)} · P(${b} | ${a}) = ${cond(both.count, pa.count)}` }),
    );
  } else {
    box.append(el("h3", { text: `At ${ans[0].label} (round ${ans[0].round}), ${ans[0].runs} replicates, seed ${r.data.seed}` }), table);
    row(ans[0].expression, ans[0]);
  }
  box.append(el("button", { type: "button", text: "Close", onclick: () => { S.joint = null; box.hidden = true; } }));
}

// ---- scenario, download, save -----------------------------------------------------------

async function load(name) {
  S.name = name;
  S.head = null;
  S.explained = null;
  $("explain").hidden = true;
  S.story = null;
  $("story").hidden = true;
  S.joint = null;
  $("joint").hidden = true;
  status("loading…", true);
  const r = await api("GET", "/api/scenarios/" + encodeURIComponent(name));
  if (!r.ok) { status(""); showBanner("error: " + ((r.data && r.data.error) || r.status)); return; }
  const info = r.data;
  S.info = info;
  // The server caps each simulation's work (replicates × states × pacts × rounds): a big
  // world may allow fewer replicates than its file asks for.
  $("runs").value = Math.min(info.runs, info.max_runs);
  $("runs").max = info.max_runs;
  $("seed").value = info.seed;
  const about = $("about");
  about.textContent = "";
  const span = info.start ? `${info.rounds} ${info.round_unit}s from ${info.start}` : `${info.rounds} ${info.round_unit}s`;
  about.append(
    el("h2", { text: info.title }),
    el("p", { text: info.description }),
    el("p", { class: "settings", text: `${span}; ${info.states.length} states, ${info.pacts.length} pacts, ${info.events.length} events` +
      (info.targets ? `, ${info.targets} targets` : "") + `; runs ${info.runs}, seed ${info.seed} as written.` }),
  );
  buildControls(info);
  fillJoint(info);
  applyFilter();
  history.replaceState(null, "", "#" + encodeURIComponent(name));
  runView();
}

async function download() {
  const r = await fetch("/api/scenario-file", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scenario: S.name, set: sets() }) });
  const text = await r.text();
  if (!r.ok) { let d = text; try { d = JSON.parse(text); } catch (_) {} showErrors(d); return; }
  const url = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
  const a = el("a", { href: url, download: `${S.name}-edited.toml` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  status("scenario downloaded");
}

async function save() {
  status("saving…", true);
  const r = await api("POST", "/api/save", request());
  if (!r.ok) { status("not saved"); showErrors(r.data); return; }
  // A different result never replaces an earlier one: the server says where this one went.
  status(r.data.note ? `saved ${r.data.dir} (${r.data.note})` : `saved ${r.data.dir}`);
}

async function init() {
  $("run").addEventListener("click", runView);
  $("download").addEventListener("click", download);
  $("save").addEventListener("click", save);
  $("story-show").addEventListener("click", () => story({ replicate: Math.max(0, Math.floor(Number($("story-k").value) || 0)) }));
  $("story-typical").addEventListener("click", () => story({ pick: "typical" }));
  $("story-where").addEventListener("click", () => { const e = $("story-expr").value.trim(); if (e) story({ pick: e }); });
  $("story-expr").addEventListener("keydown", (ev) => { if (ev.key === "Enter") $("story-where").click(); });
  $("joint-ask").addEventListener("click", () => joint(jointCells()));
  $("joint-expr").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { const e = $("joint-expr").value.trim(); if (e) joint({ queries: [e] }); } });
  $("runs").addEventListener("input", schedule);
  $("seed").addEventListener("input", schedule);
  $("filter").addEventListener("input", applyFilter);
  $("reset-all").addEventListener("click", () => {
    for (const it of S.params) if (isChanged(it)) { it.set(it.original); it.row.classList.remove("changed"); it.row.querySelector(".mark").textContent = ""; }
    countChanged();
    schedule();
  });
  $("scenario").addEventListener("change", () => load($("scenario").value));
  const r = await api("GET", "/api/scenarios");
  if (!r.ok) { showBanner("error: cannot list scenarios"); return; }
  for (const s of r.data) $("scenario").append(el("option", { value: s.name, text: s.title ? `${s.title} (${s.name})` : `${s.name} (does not load)` }));
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = r.data.find((s) => s.name === wanted) || r.data.find((s) => !s.error) || r.data[0];
  if (first) { $("scenario").value = first.name; load(first.name); }
}

init();
