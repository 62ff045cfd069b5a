// Shared by the coding and review pages. Scraped text is only ever set with textContent.
"use strict";

const TOKEN = location.pathname.split("/").filter(Boolean)[1];

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(method, path, body, options) {
  const response = await fetch(`/api/${TOKEN}${path}`, {
    method,
    headers: body === undefined ? {} : {"Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
    keepalive: Boolean(options && options.keepalive),
  });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    const error = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// Sentences as a numbered list; highlights are [start, end) offsets into the unit's text.
function renderSentences(list, sentences, highlights, frameLabels) {
  list.replaceChildren();
  for (const sentence of sentences) {
    const item = el("li", {value: sentence.n, "data-n": sentence.n});
    const end = sentence.start + sentence.text.length;
    const inside = (highlights || []).filter(h => h.start >= sentence.start && h.end <= end)
      .sort((a, b) => a.start - b.start);
    let cursor = sentence.start;
    for (const h of inside) {
      if (h.start < cursor) continue;  // overlapping hits: keep the first
      item.append(document.createTextNode(sentence.text.slice(cursor - sentence.start, h.start - sentence.start)));
      const mark = el("mark", {"data-frame": h.frame, title: `${frameLabels[h.frame] || h.frame} · ${h.pattern}`},
                      sentence.text.slice(h.start - sentence.start, h.end - sentence.start));
      item.append(mark);
      cursor = h.end;
    }
    item.append(document.createTextNode(sentence.text.slice(cursor - sentence.start)));
    list.append(item);
  }
}

// One row per frame: a "present" checkbox, a "dominant" radio, and the guidance at hand.
function renderFrames(list, frames, withKeys) {
  list.replaceChildren();
  frames.forEach((frame, i) => {
    const key = withKeys && i < 9 ? String(i + 1) : "";
    const row = el("li", {class: "frame", "data-frame": frame.id});
    const present = el("input", {type: "checkbox", id: `present-${frame.id}`, name: "present", value: frame.id});
    const label = el("label", {for: `present-${frame.id}`, class: "frame-label"});
    if (key) label.append(el("span", {class: "key"}, key));
    label.append(document.createTextNode(" " + frame.label));
    const dominant = el("input", {type: "radio", name: "dominant", value: frame.id, id: `dominant-${frame.id}`,
                                  title: "dominant frame" + (key ? ` (Shift+${key})` : "")});
    const dominantLabel = el("label", {for: `dominant-${frame.id}`, class: "dominant-label"}, "dominant");
    const help = el("details", {class: "guidance"});
    fillGuidance(help, frame, null);
    row.append(present, label, dominant, dominantLabel, help);
    list.append(row);
  });
}

// A frame's guidance, in the unit's language where the codebook has it (guidance.zh), else its own.
function fillGuidance(help, frame, language) {
  const own = (frame.guidance || {})[language] || {};
  const pick = field => (own[field] && own[field].length ? own[field] : frame[field]);
  help.replaceChildren(el("summary", {}, own.description ? `guidance (${language})` : "guidance"));
  if (own.label) help.append(el("p", {class: "guidance-label"}, own.label));
  help.append(el("p", {}, pick("description")));
  if (pick("include")) { const p = el("p", {}); p.append(el("strong", {}, "Code it when: ")); p.append(pick("include")); help.append(p); }
  if (pick("exclude")) { const p = el("p", {}); p.append(el("strong", {}, "Not when: ")); p.append(pick("exclude")); help.append(p); }
  const examples = pick("examples");
  if (examples && examples.length) {
    const list = el("ul", {class: "examples"});
    for (const example of examples) list.append(el("li", {}, example));
    help.append(list);
  }
  if (language) help.lang = own.description ? language : "";
}

// Each frame row's guidance in the language of the unit on screen (its open or closed state kept).
function localizeGuidance(frames, language) {
  for (const frame of frames) {
    const help = document.querySelector(`li.frame[data-frame="${CSS.escape(frame.id)}"] details.guidance`);
    if (help) fillGuidance(help, frame, language);
  }
}

// The codebook's frames as the page's form rows, and their labels for highlights and tables.
function useCodebook(state, codebook, withKeys) {
  state.frames = codebook.frames;
  state.frames.forEach(f => { state.labels[f.id] = f.label; });
  renderFrames(document.getElementById("frames"), state.frames, withKeys);
}

function readForm(form) {
  const relevant = !form.querySelector("#not-relevant").checked;
  const frames = [...form.querySelectorAll("input[name=present]:checked")].map(i => i.value);
  const chosen = form.querySelector("input[name=dominant]:checked");
  return {frames: relevant ? frames : [], dominant: relevant && chosen && frames.includes(chosen.value) ? chosen.value : null,
          relevant, note: form.querySelector("#note").value};
}

function fillForm(form, label) {
  form.querySelectorAll("input[name=present]").forEach(i => { i.checked = Boolean(label && label.frames.includes(i.value)); });
  form.querySelectorAll("input[name=dominant]").forEach(i => { i.checked = Boolean(label && label.dominant === i.value); });
  form.querySelector("#not-relevant").checked = Boolean(label && !label.relevant);
  form.querySelector("#note").value = label ? label.note || "" : "";
  syncRelevance(form);
}

function syncRelevance(form) {
  const off = form.querySelector("#not-relevant").checked;
  form.querySelectorAll("input[name=present], input[name=dominant]").forEach(i => { i.disabled = off; });
}

function status(text, kind) {
  const node = document.getElementById("save-status");
  node.textContent = text;
  node.dataset.kind = kind || "";
}
