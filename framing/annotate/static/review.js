// Adjudication: the coders' labels side by side, and the reviewer's final label.
"use strict";

const form = document.getElementById("final");
const state = {units: [], frames: [], labels: {}, current: null, ticket: 0};

async function load() {
  const info = await api("GET", "/review");
  document.getElementById("study").textContent = info.study;
  state.units = info.units;
  useCodebook(state, info.codebook, false);
  renderList();
}

function renderList() {
  const filter = document.getElementById("filter").value;
  const list = document.getElementById("unit-list");
  list.replaceChildren();
  const counts = {};
  for (const unit of state.units) counts[unit.status] = (counts[unit.status] || 0) + 1;
  document.getElementById("summary").textContent =
    Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(" · ");
  for (const unit of state.units) {
    if (filter !== "all" && unit.status !== filter) continue;
    const item = el("li", {"data-status": unit.status});
    const button = el("button", {type: "button", "data-unit": unit.unit_id}, unit.title || unit.unit_id);
    button.addEventListener("click", () => openUnit(unit.unit_id));
    item.append(button, el("span", {class: `status ${unit.status}`}, `${unit.status} (${unit.coders}/${unit.assigned})`));
    list.append(item);
  }
}

async function openUnit(unitId) {
  const ticket = ++state.ticket;   // a slow answer for an earlier click must not overwrite this one
  const unit = await api("GET", `/review/${encodeURIComponent(unitId)}`);
  if (ticket !== state.ticket) return;
  state.current = unit;
  document.getElementById("unit-title").textContent = unit.title || "(untitled)";
  document.getElementById("unit-meta").textContent = [unit.outlet, unit.published, unit.language].filter(Boolean).join(" · ");
  renderSentences(document.getElementById("sentences"), unit.sentences, [], state.labels);
  localizeGuidance(state.frames, unit.language);
  renderLabels(unit);
  form.hidden = false;
  // start from the final label if set, else from the first coder's, so agreeing parts need no clicks
  fillForm(form, unit.final || unit.labels[0] || null);
  if (!unit.final) form.querySelector("#note").value = "";
}

function renderLabels(unit) {
  const table = document.getElementById("labels");
  table.replaceChildren();
  const head = el("tr", {});
  head.append(el("th", {}, "frame"));
  for (const label of unit.labels) head.append(el("th", {}, label.coder));
  table.append(head);
  for (const frame of state.frames) {
    const row = el("tr", {"data-frame": frame.id});
    row.append(el("th", {}, frame.label));
    const marks = unit.labels.map(l => l.frames.includes(frame.id));
    for (const [i, label] of unit.labels.entries()) {
      const text = marks[i] ? (label.dominant === frame.id ? "✔ dominant" : "✔") : "";
      row.append(el("td", {class: new Set(marks).size > 1 ? "differs" : ""}, text));
    }
    table.append(row);
  }
  const relevance = el("tr", {});
  relevance.append(el("th", {}, "relevant"));
  for (const label of unit.labels) relevance.append(el("td", {}, label.relevant ? "yes" : "no"));
  table.append(relevance);
  const notes = el("tr", {});
  notes.append(el("th", {}, "note"));
  for (const label of unit.labels) notes.append(el("td", {class: "note"}, label.note));
  table.append(notes);
  table.hidden = false;
}

form.addEventListener("change", event => {
  if (event.target.name === "dominant" && event.target.checked) {
    form.querySelector(`#present-${event.target.value}`).checked = true;
  }
  if (event.target.id === "not-relevant") syncRelevance(form);
});

form.addEventListener("submit", async event => {
  event.preventDefault();
  if (!state.current) return;
  status("saving…", "busy");
  try {
    const answer = await api("PUT", `/review/${encodeURIComponent(state.current.unit_id)}`, readForm(form));
    status(`final label saved; gold table has ${answer.gold_units} units`, "ok");
    const unit = state.units.find(u => u.unit_id === state.current.unit_id);
    if (unit) unit.status = "adjudicated";
    renderList();
  } catch (error) {
    status(`not saved: ${error.message}`, "error");
  }
});

document.getElementById("filter").addEventListener("change", renderList);
load().catch(error => status(`could not load: ${error.message}`, "error"));
