// vcenrich dashboard: plain JavaScript, no build step. Every page element
// is built with textContent, never from HTML strings, so a firm or job name
// can never become markup.
"use strict";

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;
const WATCHES_MS = 5000; // the watches are listed again at most this often
const GLANCE_MS = 10000; // a running job's glance is counted again at most this often
const ACTIVE = new Set(["running", "paused", "stalled", "exporting"]);

// h builds an element: h("td", {class: "x", dataset: {label: "Job"}}, "text", child…).
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "class") e.className = v;
    else if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const state = {
  file: null,          // the spreadsheet being previewed
  preview: null,       // the server's preview of it
  filter: "",
  pages: [""],         // page tokens of the job list loaded so far
  details: new Map(),  // job ID -> GET /api/jobs/:id answer, for active jobs
  results: null,       // {id, name, sheet, q, offset, limit}
  signedOut: false,
  busy: false,
};

class HTTPError extends Error {
  constructor(status, body) {
    super((body && body.error) || `The server answered ${status}.`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, opts) {
  const r = await fetch(path, Object.assign({ credentials: "same-origin" }, opts));
  const body = (r.headers.get("content-type") || "").includes("json") ? await r.json() : null;
  if (r.status === 401) signedOut();
  if (!r.ok) throw new HTTPError(r.status, body);
  return body;
}

function setMsg(id, text, kind) {
  const m = $(id);
  m.textContent = text || "";
  m.className = "msg" + (kind ? " " + kind : "");
}

// ---- sign-in --------------------------------------------------------------

function signedOut() {
  state.signedOut = true;
  $("login").hidden = false;
  $("app").hidden = true;
  $("logout").hidden = true;
  $("token").focus();
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await api("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: $("token").value }) });
    $("token").value = "";
    setMsg("login-msg", "");
    state.signedOut = false;
    $("login").hidden = true;
    $("app").hidden = false;
    refresh();
  } catch (err) {
    setMsg("login-msg", err.message, "err");
  }
});

$("logout").addEventListener("click", async () => {
  await api("/api/logout", { method: "POST" }).catch(() => {});
  signedOut();
});

// ---- upload and column mapping ----------------------------------------------

const drop = $("drop");
["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
});
$("file-input").addEventListener("change", (e) => {
  if (e.target.files.length) choose(e.target.files[0]);
});

function choose(file) {
  state.file = file;
  $("job-name").value = file.name.replace(/\.[^.]+$/, "");
  preview(null);
}

// mappingChoice is the mapping the selects show, as column indexes.
function mappingChoice() {
  const m = {};
  for (const role of ["name", "website", "description"]) m[role] = Number($("map-" + role).value);
  return m;
}

async function preview(mapping) {
  setMsg("upload-msg", `Reading ${state.file.name}…`);
  const fd = new FormData();
  fd.append("file", state.file);
  if (mapping) fd.append("mapping", JSON.stringify(mapping));
  // Only the latest preview counts: an earlier file's answer arriving late
  // must not put its columns on the file now chosen.
  const seq = (state.previewSeq = (state.previewSeq || 0) + 1);
  try {
    const answer = await api("/api/jobs/preview", { method: "POST", body: fd });
    if (seq !== state.previewSeq) return;
    state.preview = answer;
    setMsg("upload-msg", "");
    showPreview(state.preview);
  } catch (err) {
    if (seq !== state.previewSeq) return;
    setMsg("upload-msg", err.message + (err.body && err.body.headers_found ? "\nColumns found: " + err.body.headers_found.join(", ") : ""), "err");
    if (!mapping) $("preview").hidden = true;
  }
}

function fillSelect(sel, headers, chosen, optional) {
  sel.replaceChildren(
    h("option", { value: "-1" }, optional ? "(none)" : "(choose the website column)"),
    ...headers.map((name, i) => h("option", { value: String(i), selected: i === chosen }, name)));
  sel.value = String(chosen ?? -1);
}

function showPreview(p) {
  $("preview").hidden = false;
  const m = p.mapping || { name: -1, website: -1, description: -1 };
  fillSelect($("map-name"), p.headers, m.name, true);
  fillSelect($("map-website"), p.headers, m.website, false);
  fillSelect($("map-description"), p.headers, m.description, true);
  const msg = $("preview-message");
  msg.hidden = !p.mapping_required;
  msg.textContent = p.message || "";
  if (p.mapping_required) {
    $("preview-summary").textContent = `No column of ${p.filename} was recognised as the website. Columns found: ${p.headers.join(", ") || "none"}.`;
  } else {
    const where = p.sheet ? `sheet "${p.sheet}", header row ${p.header_row}` : `header row ${p.header_row}`;
    const extra = [];
    if (p.rejected_count) extra.push(`${p.rejected_count} row${p.rejected_count === 1 ? "" : "s"} rejected`);
    if (p.duplicate_count) extra.push(`${p.duplicate_count} duplicate${p.duplicate_count === 1 ? "" : "s"}`);
    if (p.derived) extra.push(`${p.derived} website${p.derived === 1 ? "" : "s"} taken from other columns`);
    $("preview-summary").replaceChildren(
      h("strong", {}, `${p.firms} firm${p.firms === 1 ? "" : "s"}`),
      ` from ${p.filename} (${where})` + (extra.length ? ` · ${extra.join(" · ")}` : "") + ". Check the columns, then start the job.");
  }
  // Sample rows, with the mapped columns marked.
  const roles = {};
  if (p.mapping) for (const [role, i] of Object.entries(p.mapping)) if (i >= 0) roles[i] = role;
  const table = $("samples");
  table.replaceChildren();
  if (p.samples.length) {
    // Where a website was derived (from an email address, a Domain
    // column), a last column says so, and what was crawled.
    const derived = p.samples.some((s) => s.website_source);
    table.append(h("thead", {}, h("tr", {}, p.headers.map((name, i) =>
      h("th", { class: roles[i] ? "mapped" : "" }, roles[i] ? h("span", { class: "role" }, roles[i]) : null, name)),
      derived ? h("th", {}, "Website used") : null)));
    table.append(h("tbody", {}, p.samples.map((s) => h("tr", {}, p.headers.map((_, i) =>
      h("td", { class: roles[i] ? "mapped" : "", title: s.values[i] || "" }, s.values[i] || "")),
      derived ? h("td", { title: s.website_source || "" }, s.website_source ? `${s.website} (${s.website_source})` : "") : null))));
  }
  const box = $("rejected-box");
  box.hidden = !p.rejected_count;
  $("rejected-summary").textContent = `${p.rejected_count} rejected row${p.rejected_count === 1 ? "" : "s"} (${p.duplicate_count} duplicate${p.duplicate_count === 1 ? "" : "s"})`;
  $("rejected-list").replaceChildren(
    ...(p.duplicate_firms || []).map((d) => h("li", {}, `${d.website} is on rows ${d.rows.join(", ")}: row ${d.rows[0]} is kept`)),
    ...p.rejected.filter((r) => !r.same_as).map((r) => h("li", {}, `Row ${r.row}: ${r.reason}`)),
    p.rejected_count > p.rejected.length ? h("li", {}, `… and ${p.rejected_count - p.rejected.length} more`) : null);
  $("start").disabled = p.mapping_required && mappingChoice().website < 0;
}

$("mapping").addEventListener("change", () => {
  $("start").disabled = mappingChoice().website < 0;
  if (mappingChoice().website >= 0) preview(mappingChoice());
});

$("discard").addEventListener("click", resetUpload);

function resetUpload() {
  state.file = null;
  state.preview = null;
  $("preview").hidden = true;
  $("job-form").reset();
  $("file-input").value = "";
}

$("job-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!state.file) return;
  const fd = new FormData(e.target);
  for (const k of ["window", "notify", "name", "priority"]) if (!String(fd.get(k) || "").trim()) fd.delete(k);
  fd.append("file", state.file);
  fd.append("mapping", JSON.stringify(mappingChoice()));
  $("start").disabled = true;
  setMsg("upload-msg", "Starting…");
  try {
    const j = await api("/api/jobs", { method: "POST", body: fd });
    let text = j.existing ? `That upload is already running as ${j.name} (${j.job_id}).` : `Started ${j.name}: ${j.firms} firms (${j.job_id}).`;
    if (j.notify && j.notify.length) text += ` ${j.notify.join(", ")} will be told when it ends.`;
    setMsg("upload-msg", text, "ok");
    resetUpload();
    state.pages = [""];
    await refresh();
    const row = document.querySelector(`tr[data-job="${CSS.escape(j.job_id)}"]`);
    if (row) row.classList.add("highlight");
  } catch (err) {
    setMsg("upload-msg", err.message, "err");
  } finally {
    $("start").disabled = false;
  }
});

// ---- jobs ------------------------------------------------------------------

function duration(seconds) {
  seconds = Math.max(0, Math.round(seconds));
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60), hrs = Math.floor(m / 60);
  if (hrs === 0) return `${m}m ${seconds % 60}s`;
  if (hrs < 48) return `${hrs}h ${m % 60}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

function ago(t) {
  if (!t) return "never";
  return duration((Date.now() - new Date(t).getTime()) / 1000) + " ago";
}

function jobRow(j) {
  const d = state.details.get(j.job_id);
  const status = (d && d.status) || j.status || "running";
  const total = (d && d.total) || j.total || 0;
  const processed = d ? d.processed : j.processed || 0;
  const pct = total ? Math.floor((100 * processed) / total) : 0;
  const active = ACTIVE.has(status);
  const base = `/api/jobs/${encodeURIComponent(j.job_id)}`;

  // Done, failed and left as one bar in three colours: from the job's
  // details while it runs, else from the list (visibility's figures).
  const failed = (d ? d.failed : j.failed) || 0;
  const done = (d ? d.done : j.done) || 0;
  const people = (d ? d.team_members : j.team_members) || 0;
  const share = (n) => (total ? (100 * n) / total : 0);
  const mostlyFailed = failed > 0 && failed >= done;
  const figures = [`${pct}% · ${processed} / ${total} firms`];
  if (failed) figures.push(`${failed} failed`);
  if (people) figures.push(`${people} people`);
  const pace = [];
  if (d && active && d.rate_per_minute > 0) pace.push(`${d.rate_per_minute.toFixed(1)} firms/min`);
  if (d && status === "running" && d.eta_seconds > 0) pace.push(`ETA ${duration(d.eta_seconds)}`);
  if (d && active && d.updated) pace.push(`last firm ${ago(d.updated)}`);

  const orphaned = Boolean(d && active && d.worker_answering === false);
  const warnings = [];
  if (orphaned) warnings.push("No worker is answering: these are the last recorded figures.");
  if (status === "stalled") warnings.push("Stalled: no firm has finished for a long while.");

  const actions = [];
  const button = (action, label) => h("button", { type: "button", dataset: { action, id: j.job_id } }, label);
  if (status === "running" || status === "stalled") actions.push(button("pause", "Pause"));
  if (status === "paused") actions.push(button("resume", "Resume"));
  if (active && status !== "exporting") actions.push(button("cancel", "Cancel"));
  actions.push(h("a", { class: "button", href: `${base}/result`, dataset: { action: "download" } }, active ? "Download partial" : "Download"));
  actions.push(button("results", "Results"));
  if ((status === "completed" || status === "cancelled") && failed > 0) actions.push(button("retry-failed", "Retry failed"));
  if (status === "completed" && total > 0) actions.push(button("watch", "Watch"));
  if (j.links && j.links.temporal_ui) actions.push(h("a", { class: "button", href: j.links.temporal_ui, target: "_blank", rel: "noopener" }, "Temporal"));

  const chip = failed > 0 && !active ? `${status} · ${failed} failed` : status;
  // Widths through the CSSOM: the page's content security policy forbids
  // style attributes.
  const segment = (cls, n) => { const e = h("span", { class: cls }); e.style.width = `${share(n)}%`; return e; };
  const bar = h("div", { class: "bar " + status, role: "img", "aria-label": `${done} done, ${failed} failed, ${Math.max(0, total - done - failed)} left` },
    segment("done", done), segment("failed", failed));
  return h("tr", { class: mostlyFailed ? "mostly-failed" : null, dataset: { job: j.job_id, status, failed: String(failed) } },
    h("td", { dataset: { label: "Job" } }, h("strong", {}, j.name || j.job_id), h("br"), h("small", {}, j.job_id),
      h("br"), h("small", {}, "started " + (j.started ? new Date(j.started).toLocaleString() : "—"))),
    h("td", { dataset: { label: "Status" } }, orphaned
      ? h("span", { class: "chip stalled", title: "No worker answers for this job" }, status + " · no worker")
      : h("span", { class: "chip " + (mostlyFailed && !active ? "failed" : status) + (failed > 0 ? " with-failures" : "") }, chip)),
    h("td", { dataset: { label: "Progress" } },
      bar,
      h("div", { class: "figures pct" }, figures.join(" · ")),
      pace.length ? h("div", { class: "figures" }, pace.join(" · ")) : null,
      warnings.map((w) => h("span", { class: "warn" }, w))),
    h("td", { dataset: { label: "Actions" } }, h("div", { class: "actions" }, actions)));
}

$("jobs").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-action]");
  if (!b) return;
  const { action, id } = b.dataset;
  if (action === "results") {
    const row = b.closest("tr");
    openResults(id, row.querySelector("strong").textContent);
    return;
  }
  if (action === "watch") {
    fillWatchJobs(state.listed || []);
    $("watch-job").value = id;
    $("watches-section").scrollIntoView({ behavior: "smooth" });
    $("watch-every").focus();
    return;
  }
  if (action === "cancel" && !confirm("Cancel this job? Firms in flight stop; the workbook keeps what finished.")) return;
  b.disabled = true;
  try {
    await api(`/api/jobs/${encodeURIComponent(id)}/${action}`, { method: "POST" });
    if (action === "retry-failed") state.pages = [""];
    await refresh();
  } catch (err) {
    alert(err.message);
  } finally {
    b.disabled = false;
  }
});

$("status-filter").addEventListener("change", (e) => {
  state.filter = e.target.value;
  state.pages = [""];
  refresh();
});

$("more").addEventListener("click", () => {
  // A second click before the page arrives must not load it twice.
  if (state.next && !state.pages.includes(state.next)) state.pages.push(state.next);
  refresh();
});

async function loadJobs() {
  const jobs = [];
  let next = "";
  for (const token of state.pages) {
    const q = new URLSearchParams({ page_size: "20" });
    if (state.filter) q.set("status", state.filter);
    if (token) q.set("page_token", token);
    const page = await api("/api/jobs?" + q);
    jobs.push(...page.jobs);
    next = page.next_page_token;
  }
  state.next = next;
  // Rate, ETA and the worker's answer come from each active job's progress;
  // a job seen running is asked once more after it ends, for its final
  // figures, and not again.
  const wanted = jobs.filter((j) => ACTIVE.has(j.status) || (state.details.has(j.job_id) && ACTIVE.has(state.details.get(j.job_id).status)));
  const fetched = new Map((await Promise.all(wanted.map((j) =>
    api(`/api/jobs/${encodeURIComponent(j.job_id)}`).then((d) => [j.job_id, d], () => null)))).filter(Boolean));
  const details = new Map();
  for (const j of jobs) {
    const d = fetched.get(j.job_id) || state.details.get(j.job_id);
    if (d) details.set(j.job_id, d);
  }
  state.details = details;
  return jobs;
}

function showJobs(jobs) {
  const body = $("jobs");
  $("more").hidden = !state.next;
  if (!jobs.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: 4 }, state.filter ? `No ${state.filter} jobs.` : "No jobs yet: drop a spreadsheet above.")));
    return;
  }
  // Update rows in place when the list is the same, replacing only the
  // cells that changed: a button being clicked is never swapped under the
  // pointer.
  const current = [...body.querySelectorAll("tr[data-job]")];
  if (current.length === jobs.length && current.every((r, i) => r.dataset.job === jobs[i].job_id)) {
    jobs.forEach((j, i) => {
      const fresh = jobRow(j), row = current[i];
      row.dataset.status = fresh.dataset.status;
      row.dataset.failed = fresh.dataset.failed;
      row.classList.toggle("mostly-failed", fresh.classList.contains("mostly-failed"));
      [...fresh.children].forEach((td, k) => {
        if (!row.children[k].isEqualNode(td)) row.replaceChild(td, row.children[k]);
      });
    });
    return;
  }
  const highlighted = new Set(current.filter((r) => r.classList.contains("highlight")).map((r) => r.dataset.job));
  body.replaceChildren(...jobs.map(jobRow));
  for (const r of body.querySelectorAll("tr[data-job]")) if (highlighted.has(r.dataset.job)) r.classList.add("highlight");
}

// ---- watches -----------------------------------------------------------------

// fillWatchJobs offers the finished jobs of the list as lists to watch.
function fillWatchJobs(jobs) {
  const sel = $("watch-job"), chosen = sel.value;
  const done = jobs.filter((j) => !ACTIVE.has((state.details.get(j.job_id) || j).status) && (j.total || 0) > 0);
  const opts = [h("option", { value: "" }, "List: a finished job…"),
    ...done.map((j) => h("option", { value: j.job_id, selected: j.job_id === chosen }, `${j.name || j.job_id} (${j.total} firms)`))];
  if (sel.options.length !== opts.length || [...sel.options].some((o, i) => o.value !== opts[i].value)) sel.replaceChildren(...opts);
  sel.value = chosen;
}

$("watch-every").addEventListener("change", (e) => { $("watch-custom").hidden = e.target.value !== "custom"; });

$("watch-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const fd = new FormData(e.target);
  const file = $("watch-file").files[0];
  if (file) fd.delete("job_id");
  else fd.delete("file");
  if (!file && !fd.get("job_id")) {
    setMsg("watch-msg", "Choose a finished job's list or a spreadsheet to watch.", "err");
    return;
  }
  const every = $("watch-every").value;
  fd.set("interval", every === "custom" ? $("watch-custom").value.trim() : every);
  fd.set("start_now", $("watch-now").checked ? "true" : "false");
  if (!String(fd.get("notify") || "").trim()) fd.delete("notify");
  $("watch-create").disabled = true;
  try {
    const w = await api("/api/watches", { method: "POST", body: fd });
    setMsg("watch-msg", `Watching ${w.name}: ${w.firms} firms, ${w.interval}.`, "ok");
    $("watch-file").value = "";
    await loadWatches();
  } catch (err) {
    setMsg("watch-msg", err.message, "err");
  } finally {
    $("watch-create").disabled = false;
  }
});

function watchRow(w) {
  const button = (action, label) => h("button", { type: "button", dataset: { action, id: w.watch_id } }, label);
  const next = w.next_runs && w.next_runs.length ? "next " + new Date(w.next_runs[0]).toLocaleString() : "";
  const running = w.running && w.running.length ? "refreshing now" : "";
  return h("tr", { dataset: { watch: w.watch_id, paused: String(w.paused), refreshes: String(w.jobs.length) } },
    h("td", { dataset: { label: "Watch" } }, h("strong", {}, w.name), h("br"), h("small", {}, `${w.watch_id} · ${w.firms} firms`)),
    h("td", { dataset: { label: "Every" } }, w.interval),
    h("td", { dataset: { label: "State" } }, h("span", { class: "chip " + (w.paused ? "paused" : "running") }, w.paused ? "paused" : "active"),
      h("br"), h("small", {}, running || next)),
    h("td", { dataset: { label: "Refreshes" } }, String(w.jobs.length),
      w.last ? [" · ", h("a", { href: "#" + w.last, dataset: { action: "open", id: w.last } }, "last changes")] : null),
    h("td", { dataset: { label: "Actions" } }, h("div", { class: "actions" },
      button("trigger", "Refresh now"), w.paused ? button("resume", "Resume") : button("pause", "Pause"), button("delete", "Delete"),
      h("a", { class: "button", href: w.links.temporal_ui, target: "_blank", rel: "noopener" }, "Temporal"))));
}

async function loadWatches() {
  const list = await api("/api/watches");
  const body = $("watches");
  body.replaceChildren(...(list.watches.length ? list.watches.map(watchRow) : [h("tr", {}, h("td", { colspan: 5 }, "No watch yet."))]));
}

$("watches").addEventListener("click", async (e) => {
  const el = e.target.closest("[data-action]");
  if (!el) return;
  e.preventDefault();
  const { action, id } = el.dataset;
  if (action === "open") {
    openResults(id, id, "Changes");
    return;
  }
  if (action === "delete" && !confirm("Delete this watch? Its refreshes' jobs and workbooks stay.")) return;
  el.disabled = true;
  try {
    await api(`/api/watches/${encodeURIComponent(id)}` + (action === "delete" ? "" : "/" + action), { method: action === "delete" ? "DELETE" : "POST" });
    await loadWatches();
  } catch (err) {
    alert(err.message);
  } finally {
    el.disabled = false;
  }
});

// ---- workers and health ------------------------------------------------------

function showHealth(hl) {
  const problems = [];
  if (hl.status === "down") problems.push(`Temporal or the result store is unreachable (Temporal: ${hl.temporal}; store: ${hl.store}). Jobs cannot be started or followed.`);
  if (hl.running_jobs > 0 && hl.live_workers === 0) problems.push(`No worker is polling task queue "${hl.task_queue}" while ${hl.running_jobs} job${hl.running_jobs === 1 ? " is" : "s are"} running: nothing progresses until a worker starts.`);
  for (const a of hl.alerts || []) if (a.kind !== "worker_loss" || !problems.length) problems.push(a.message);
  const banner = $("banner");
  banner.hidden = !problems.length;
  banner.textContent = problems.join("\n");

  const label = $("health");
  label.textContent = hl.status === "down" ? "service down" : `${hl.live_workers} live worker${hl.live_workers === 1 ? "" : "s"} · ${hl.running_jobs} running`;
  label.className = "health" + (problems.length ? " bad" : "");
  $("logout").hidden = !hl.auth_required;

  $("workers-summary").textContent = hl.workers.length
    ? `${hl.live_workers} of ${hl.workers.length} polling task queue "${hl.task_queue}"`
    : `No worker has polled task queue "${hl.task_queue}" lately.`;
  $("workers").replaceChildren(...hl.workers.map((w) => h("li", { class: w.live ? "live" : "stale" },
    h("span", { class: "dot" + (w.live ? " live" : "") }), w.identity, h("br"),
    h("small", { class: "note" }, (w.live ? "live · " : "gone quiet · ") + "last poll " + ago(w.last_poll)))));
}

async function refresh() {
  if (state.busy || state.signedOut) return;
  state.busy = true;
  try {
    const hl = await api("/api/health").catch((err) => err.body);
    if (hl && hl.auth_required && !hl.workers) {
      signedOut(); // the short form: this browser has not signed in
      if (hl.retry_after_s) setMsg("login-msg", `Too many wrong tokens were sent from this address: signing in is refused for ${hl.retry_after_s} s.`, "err");
      return;
    }
    if (hl && hl.workers) showHealth(hl);
    const jobs = await loadJobs();
    state.listed = jobs;
    showJobs(jobs);
    fillWatchJobs(jobs);
    if (Date.now() - (state.watchesAt || 0) > WATCHES_MS) {
      state.watchesAt = Date.now();
      loadWatches().catch(() => {});
    }
    const r = state.results;
    if (r && r.glancePartial !== false && Date.now() - (r.glanceAt || 0) > GLANCE_MS) loadGlance();
  } catch (err) {
    if (err.status === 429) {
      $("health").textContent = err.message;
      $("health").className = "health bad";
      return;
    }
    // With the server up but Temporal down, the health banner says so.
    if (!state.signedOut && !$("health").textContent.startsWith("service down")) {
      $("health").textContent = "server unreachable";
      $("health").className = "health bad";
    }
  } finally {
    state.busy = false;
  }
}

// ---- job page: glance, charts, sheets ----------------------------------------

const SVG = "http://www.w3.org/2000/svg";

// svg builds an SVG element; attributes only (the page's content security
// policy forbids style attributes, and colours come from classes).
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function percent(part, whole) {
  return whole ? `${Math.round((1000 * part) / whole) / 10}%` : "–";
}

// barChart draws one horizontal bar per item: its label, a bar as long as
// its share of the largest, and its count.
function barChart(items, cls, empty) {
  if (!items.length) return h("p", { class: "note" }, empty);
  const most = Math.max(...items.map((i) => i.count), 1);
  const row = 22, labelW = 150, barW = 200, width = labelW + barW + 50;
  return svg("svg", { viewBox: `0 0 ${width} ${items.length * row + 4}`, class: "bars " + cls, role: "img",
    "aria-label": items.map((i) => `${i.label}: ${i.count}`).join(", ") },
  items.map((it, k) => svg("g", { transform: `translate(0 ${k * row + 2})` },
    svg("title", {}, `${it.label}: ${it.count}`),
    svg("text", { x: labelW - 8, y: 15, "text-anchor": "end", class: "label" }, it.label.length > 22 ? it.label.slice(0, 21) + "…" : it.label),
    svg("rect", { x: labelW, y: 3, height: row - 8, width: Math.max(2, (barW * it.count) / most), rx: 3, class: "hbar", "data-label": it.label }),
    svg("text", { x: labelW + Math.max(2, (barW * it.count) / most) + 6, y: 15, class: "count" }, it.count.toLocaleString()))));
}

// rateChart draws firms finished per minute over the job's life: a column
// per bucket, done and failed stacked.
function rateChart(tl) {
  const n = tl.done.length;
  if (!n) return h("p", { class: "note" }, "No firm has finished yet.");
  const mins = tl.bucket_seconds / 60;
  const rate = (k) => (tl.done[k] + tl.failed[k]) / mins;
  const top = Math.max(...tl.done.map((_, k) => rate(k)), 1);
  const W = 400, H = 130, left = 36, bottom = 18, plotW = W - left - 6, plotH = H - bottom - 8;
  const colW = plotW / n, y = (v) => 8 + plotH - (plotH * v) / top;
  const start = new Date(tl.start), end = new Date(start.getTime() + n * tl.bucket_seconds * 1000);
  const time = (d) => d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const cols = [];
  for (let k = 0; k < n; k++) {
    const x = left + k * colW, done = tl.done[k] / mins, failed = tl.failed[k] / mins;
    const label = `${time(new Date(start.getTime() + k * tl.bucket_seconds * 1000))}: ${tl.done[k]} done, ${tl.failed[k]} failed`;
    cols.push(svg("g", {}, svg("title", {}, label),
      done > 0 ? svg("rect", { x, width: Math.max(1, colW - 1), y: y(done), height: y(0) - y(done), class: "done" }) : null,
      failed > 0 ? svg("rect", { x, width: Math.max(1, colW - 1), y: y(done + failed), height: y(done) - y(done + failed), class: "failed" }) : null));
  }
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "rate", role: "img",
    "aria-label": `Firms finished per minute from ${time(start)} to ${time(end)}, at most ${top.toFixed(1)} a minute` },
  svg("line", { x1: left, x2: W - 6, y1: y(0), y2: y(0), class: "axis" }),
  svg("line", { x1: left, x2: W - 6, y1: y(top), y2: y(top), class: "grid" }),
  svg("text", { x: left - 6, y: y(top) + 4, "text-anchor": "end", class: "label" }, top >= 10 ? Math.round(top) : top.toFixed(1)),
  svg("text", { x: left - 6, y: y(0) + 4, "text-anchor": "end", class: "label" }, "0"),
  svg("text", { x: left, y: H - 4, class: "label" }, time(start)),
  svg("text", { x: W - 6, y: H - 4, "text-anchor": "end", class: "label" }, time(end)),
  cols);
}

function showGlance(g) {
  const c = g.coverage;
  const tile = (label, value, note) => h("div", { class: "tile" }, h("dt", {}, label), h("dd", {}, value, note ? h("small", {}, note) : null));
  $("coverage").replaceChildren(...[
    tile("Firms", `${(g.done + g.failed).toLocaleString()} of ${g.total.toLocaleString()}`, `${g.failed.toLocaleString()} failed`),
    tile("With a team", percent(c.with_team, c.enriched), `${c.with_team} of ${c.enriched} enriched`),
    tile("Members per firm", c.with_team ? (c.members / c.with_team).toFixed(1) : "–", `${c.members.toLocaleString()} people`),
    tile("With a title", percent(c.with_title, c.members)),
    tile("With LinkedIn", percent(c.with_linkedin, c.members)),
    tile("With an email", percent(c.with_email, c.members), c.inferred_email ? `+ ${percent(c.inferred_email, c.members)} inferred` : "shown on the site"),
    tile("Decision makers", percent(c.tier1, c.members), "tier 1"),
    tile("Portfolio companies", c.portfolio.toLocaleString()),
  ]);
  $("glance").classList.toggle("mostly-failed", g.failed > 0 && g.failed >= g.done);
  $("glance-note").textContent = g.partial ? "The job is running: figures so far." : "";
  const secs = g.timeline.bucket_seconds;
  $("rate-note").textContent = `(a column every ${secs < 60 ? secs + " s" : secs < 3600 ? secs / 60 + " min" : secs / 3600 + " h"})`;
  $("chart-rate").replaceChildren(rateChart(g.timeline));
  $("chart-failures").replaceChildren(barChart(g.failures_by_reason, "failures", "No firm failed."));
  $("chart-websites").replaceChildren(barChart(g.websites, "websites", "No website checked yet."));
  $("chart-tiers").replaceChildren(barChart(g.tiers, "tiers", "No team member found yet."));
}

async function loadGlance() {
  const r = state.results;
  if (!r) return;
  r.glanceAt = Date.now();
  try {
    const g = await api(`/api/jobs/${encodeURIComponent(r.id)}/glance`);
    if (state.results === r) {
      r.glancePartial = g.partial;
      showGlance(g);
    }
  } catch (err) {
    $("glance-note").textContent = err.message;
  }
}

function openResults(id, name, sheet) {
  state.results = { id, name, sheet: sheet || "Team Members", q: "", offset: 0, limit: 25 };
  $("q").value = "";
  $("results").hidden = false;
  $("results-job").textContent = name;
  for (const c of ["coverage", "chart-rate", "chart-failures", "chart-websites", "chart-tiers"]) $(c).replaceChildren();
  loadGlance();
  loadRows().then(() => $("results").scrollIntoView({ behavior: "smooth" }));
}

$("results-close").addEventListener("click", () => {
  clearTimeout(searchTimer);
  state.results = null;
  $("results").hidden = true;
});

async function loadRows() {
  const r = state.results;
  if (!r) return;
  const q = new URLSearchParams({ sheet: r.sheet, offset: String(r.offset), limit: String(r.limit) });
  if (r.q) q.set("q", r.q);
  const base = `/api/jobs/${encodeURIComponent(r.id)}`;
  $("csv").href = `${base}/result.csv?sheet=${encodeURIComponent(r.sheet)}`;
  try {
    const page = await api(`${base}/result.json?${q}`);
    showRows(page);
  } catch (err) {
    $("rows").replaceChildren(h("tbody", {}, h("tr", {}, h("td", {}, err.message))));
  }
}

// pinnedColumn is the column that stays in view as the table scrolls
// sideways: the person's or the firm's name where the sheet has one.
function pinnedColumn(columns) {
  const norm = columns.map((c) => c.trim().toLowerCase());
  for (const want of [(c) => c === "name", (c) => c.includes("name"), (c) => c === "firm" || c === "company"]) {
    const k = norm.findIndex(want);
    if (k >= 0) return k;
  }
  return 0;
}

function showRows(page) {
  const r = state.results;
  $("tabs").replaceChildren(...page.sheets.map((name) => h("button", {
    type: "button", role: "tab", "aria-selected": String(name === page.sheet), dataset: { sheet: name },
  }, name)));
  $("results-note").textContent = page.partial ? "Partial: the job has not finished." : "";
  const firms = page.sheet === "Firms";
  $("rows-hint").hidden = !firms;
  const pin = pinnedColumn(page.columns);
  const cell = (tag, v, k, attrs) => h(tag, Object.assign({ class: k === pin ? "pinned" : null }, attrs), v);
  const rows = page.rows.map((row, i) => h("tr", firms ? {
    class: "openable", tabindex: "0", "aria-expanded": "false", dataset: { index: String(page.positions[i]) },
    title: "Show what the workbook says about this firm",
  } : {}, row.map((v, k) => cell("td", v, k, { title: v }))));
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: Math.max(1, page.columns.length) }, r.q ? "No row matches." : "No rows yet.")));
  $("rows").replaceChildren(h("thead", {}, h("tr", {}, page.columns.map((c, k) => cell("th", c, k)))), h("tbody", {}, rows));
  $("rows").dataset.sheet = page.sheet;
  const last = Math.min(page.offset + page.rows.length, page.total);
  $("page-info").textContent = page.total ? `Rows ${page.offset + 1}–${last} of ${page.total}` : "";
  $("prev").disabled = page.offset === 0;
  $("next").disabled = last >= page.total;
}

// firmDetail lays out what the workbook says about one firm.
function firmDetail(f) {
  const facts = [["Status", f.status + (f.reason ? ` (${f.reason})` : "")]];
  if (f.error) facts.push(["Error", f.error]);
  if (f.website_status) facts.push(["Website", f.website_status + (f.website_note ? `: ${f.website_note}` : "")]);
  if (f.final_url) facts.push(["Final URL", f.final_url]);
  if (f.status === "ok") facts.push(["Team", f.team.length ? `${f.team.length} found on ${f.team_page_url || "the site"}` : `none: ${f.team_reason || "no reason recorded"}` + (f.team_page_url ? ` (best candidate ${f.team_page_url})` : "")]);
  const list = (title, items, empty) => h("div", { class: "part" }, h("h3", {}, title), items.length ? h("ul", {}, items) : h("p", { class: "note" }, empty));
  return h("div", { class: "detail-body" },
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]).flat()),
    list(`Pages visited (${f.pages.length})`, f.pages.map((p) => h("li", { class: "page" },
      h("span", { class: "chip" + (p.status >= 400 || !p.status ? " failed" : "") }, p.status || "no answer"), " ",
      h("strong", {}, p.kind), " ", h("a", { href: p.url, target: "_blank", rel: "noopener noreferrer" }, p.url),
      p.people ? ` · ${p.people} people` : "", p.note ? h("small", {}, ` · ${p.note}`) : null)), "No page was fetched."),
    list(`People (${f.team.length})`, f.team.map((m) => h("li", {}, h("strong", {}, m.name),
      m.title ? ` · ${m.title}` : "", m.tier ? ` · tier ${m.tier}` : "",
      m.linkedin ? [" · ", h("a", { href: m.linkedin, target: "_blank", rel: "noopener noreferrer" }, "LinkedIn")] : null,
      m.email ? ` · ${m.email}` : "")), "No one."),
    list(`Portfolio (${f.portfolio.length})`, f.portfolio.map((c) => h("li", {}, c.website
      ? h("a", { href: c.website, target: "_blank", rel: "noopener noreferrer" }, c.name) : c.name)), "None found."));
}

async function toggleFirm(tr) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains("detail")) {
    next.remove();
    tr.setAttribute("aria-expanded", "false");
    return;
  }
  const r = state.results;
  const td = h("td", { colspan: String(tr.children.length) }, h("p", { class: "note" }, "Loading…"));
  const detail = h("tr", { class: "detail", dataset: { index: tr.dataset.index } }, td);
  tr.after(detail);
  tr.setAttribute("aria-expanded", "true");
  try {
    const f = await api(`/api/jobs/${encodeURIComponent(r.id)}/firms/${tr.dataset.index}`);
    td.replaceChildren(firmDetail(f));
  } catch (err) {
    td.replaceChildren(h("p", { class: "msg err" }, err.message));
  }
}

$("rows").addEventListener("click", (e) => {
  if (e.target.closest("a")) return;
  const tr = e.target.closest("tr.openable");
  if (tr) toggleFirm(tr);
});
$("rows").addEventListener("keydown", (e) => {
  const tr = e.target.closest("tr.openable");
  if (tr && (e.key === "Enter" || e.key === " ")) {
    e.preventDefault();
    toggleFirm(tr);
  }
});

$("tabs").addEventListener("click", (e) => {
  const b = e.target.closest("button[data-sheet]");
  if (!b || !state.results) return;
  Object.assign(state.results, { sheet: b.dataset.sheet, offset: 0 });
  loadRows();
});

$("prev").addEventListener("click", () => {
  const r = state.results;
  r.offset = Math.max(0, r.offset - r.limit);
  loadRows();
});
$("next").addEventListener("click", () => {
  state.results.offset += state.results.limit;
  loadRows();
});

let searchTimer = 0;
$("q").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    if (!state.results) return; // closed meanwhile
    Object.assign(state.results, { q: $("q").value.trim(), offset: 0 });
    loadRows();
  }, 300);
});
$("search").addEventListener("submit", (e) => e.preventDefault());

// ---- start -------------------------------------------------------------------

refresh().then(() => {
  // A link from an API answer (…/#JOB) opens that job's results.
  const id = decodeURIComponent(location.hash.slice(1));
  if (id) openResults(id, id);
});
// A hidden tab does not poll; it catches up as soon as it is shown.
setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
