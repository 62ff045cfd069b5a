// The coding screen: one unit at a time; every change is saved at once, Enter completes and moves on.
"use strict";

const form = document.getElementById("form");
const state = {queue: [], position: 0, target: 0, ticket: 0, unit: null, complete: false, frames: [], labels: {},
               saving: Promise.resolve(), pending: 0, noteTimer: null, highlights: false};

async function start() {
  const info = await api("GET", "/state");
  document.getElementById("study").textContent = info.study;
  state.queue = info.queue;
  useCodebook(state, info.codebook, true);
  const firstOpen = state.queue.findIndex(item => !item.complete);
  await show(firstOpen === -1 ? Math.max(0, state.queue.length - 1) : firstOpen, firstOpen === -1);
}

// Key presses can outrun the network: only the latest navigation may paint the screen.
async function show(position, finished) {
  flushNote();   // a note typed just before moving on belongs to the unit it was typed on
  const ticket = ++state.ticket;
  state.loading = true;   // answers typed before the next article is on screen would land on the old one
  state.target = Math.min(Math.max(position, 0), Math.max(0, state.queue.length - 1));
  await state.saving;
  if (!state.queue.length) {
    document.getElementById("unit-title").textContent = "Nothing to code yet";
    updateProgress();
    return;
  }
  const target = state.target;
  const unit = await api("GET", `/units/${encodeURIComponent(state.queue[target].unit_id)}`);
  if (ticket !== state.ticket) return;
  state.loading = false;
  state.position = target;
  state.unit = unit;
  state.complete = unit.complete;
  document.getElementById("unit-title").textContent = unit.title || "(untitled)";
  const meta = [unit.outlet, unit.published, unit.language, `${state.position + 1} of ${state.queue.length}`]
    .filter(Boolean).join(" · ");
  document.getElementById("unit-meta").textContent = meta;
  document.getElementById("round-badge").hidden = unit.round !== "training";
  const toggle = document.getElementById("highlight-toggle");
  toggle.hidden = !unit.highlights;
  renderSentences(document.getElementById("sentences"), unit.sentences,
                  state.highlights || unit.round === "training" ? unit.highlights : [], state.labels);
  localizeGuidance(state.frames, unit.language);
  fillForm(form, unit.judgement);
  showFeedback(unit.feedback);
  document.getElementById("done").hidden = !finished;
  document.getElementById("prev").disabled = state.position === 0;
  document.getElementById("next").disabled = state.position >= state.queue.length - 1;
  updateProgress();
  status(unit.judgement ? (unit.complete ? "saved" : "draft saved") : "", "ok");
  window.scrollTo(0, 0);
}

function updateProgress() {
  const done = state.queue.filter(item => item.complete).length;
  const bar = document.getElementById("progress");
  bar.max = Math.max(1, state.queue.length);
  bar.value = done;
  document.getElementById("progress-text").textContent = `${done} / ${state.queue.length} coded`;
}

// Saves run one after another, so an older save can never land after a newer one.
function save(complete, options) {
  if (!state.unit) return Promise.resolve();
  clearTimeout(state.noteTimer);   // this save carries the note: a timer left running would fire on the next unit
  state.noteTimer = null;
  const unitId = state.unit.unit_id;
  const body = {...readForm(form), complete: complete || state.complete};
  state.pending += 1;
  status("saving…", "busy");
  state.saving = state.saving.then(() => sendWithRetry(unitId, body, options)).then(answer => {
    const item = state.queue.find(q => q.unit_id === unitId);
    if (item && answer.complete) item.complete = true;
    if (state.unit && state.unit.unit_id === unitId) state.complete = state.complete || answer.complete;
    state.pending -= 1;
    if (!state.pending) status(`saved ${new Date().toLocaleTimeString()}`, "ok");
    updateProgress();
    return answer;
  });
  return state.saving;
}

async function sendWithRetry(unitId, body, options) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api("PUT", `/units/${encodeURIComponent(unitId)}`, body, options);
    } catch (error) {
      if (error.status && error.status < 500) { status(`not saved: ${error.message}`, "error"); throw error; }
      status(`connection lost, retrying (${attempt + 1})…`, "error");
      await new Promise(resolve => setTimeout(resolve, Math.min(8000, 500 * 2 ** attempt)));
    }
  }
}

async function saveAndNext() {
  const answer = await save(true);
  if (answer && answer.feedback && !state.unit.feedback) {
    state.unit.feedback = answer.feedback;
    showFeedback(answer.feedback);   // training: stay and read where you differed; Enter again moves on
    return;
  }
  const nextOpen = state.queue.findIndex((item, i) => i > state.position && !item.complete);
  const anyOpen = state.queue.findIndex(item => !item.complete);
  if (nextOpen !== -1) await show(nextOpen);
  else if (anyOpen !== -1) await show(anyOpen);
  else await show(state.position, true);
}

function showFeedback(feedback) {
  const box = document.getElementById("feedback");
  box.replaceChildren();
  box.hidden = !feedback;
  if (!feedback) return;
  box.append(el("h2", {}, feedback.differences.length ? "Where you differed from the answer key" : "You matched the answer key"));
  const keyText = feedback.key_relevant
    ? `Answer key: ${feedback.key_frames.map(f => state.labels[f] || f).join(", ") || "no frame"}` +
      (feedback.key_dominant ? `; dominant: ${state.labels[feedback.key_dominant] || feedback.key_dominant}` : "")
    : "Answer key: not relevant";
  box.append(el("p", {}, keyText));
  const list = el("ul", {});
  for (const d of feedback.differences) {
    const item = el("li", {});
    item.append(el("strong", {}, `${d.label}: `));
    item.append(document.createTextNode(d.key ? "the key codes it present, you did not. " : "you coded it, the key does not. "));
    item.append(el("span", {class: "why"}, d.why));
    list.append(item);
  }
  box.append(list);
  if (!feedback.dominant_matches && feedback.key_dominant) box.append(el("p", {}, "Your dominant frame differs from the key's."));
  box.append(el("p", {class: "hint"}, "Press Enter to go on."));
  box.scrollIntoView({block: "nearest"});
}

form.addEventListener("change", event => {
  if (event.target.id === "note" || state.loading) return;
  if (event.target.name === "dominant" && event.target.checked) {
    form.querySelector(`#present-${event.target.value}`).checked = true;
  }
  if (event.target.id === "not-relevant") syncRelevance(form);
  save(false);
});

// Notes save 400 ms after the last key; moving on or leaving the page saves at once instead.
form.querySelector("#note").addEventListener("input", () => {
  clearTimeout(state.noteTimer);
  state.noteTimer = setTimeout(() => { state.noteTimer = null; save(false); }, 400);
});

function flushNote(options) {
  if (state.noteTimer !== null) save(false, options);   // else nothing typed since the last save
}

form.addEventListener("submit", event => { event.preventDefault(); saveAndNext(); });
document.getElementById("prev").addEventListener("click", () => show(state.target - 1));
document.getElementById("next").addEventListener("click", () => show(state.target + 1));
document.getElementById("highlights").addEventListener("change", event => {
  state.highlights = event.target.checked;
  renderSentences(document.getElementById("sentences"), state.unit.sentences,
                  state.highlights ? state.unit.highlights : [], state.labels);
});

// A note typed in the last moments before the tab closes still reaches the server; a unit nobody
// touched is not saved at all (no empty drafts).
window.addEventListener("pagehide", () => flushNote({keepalive: true}));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flushNote({keepalive: true});
});

document.addEventListener("keydown", event => {
  const typing = event.target.tagName === "TEXTAREA";
  if (event.key === "Enter" && (!typing || event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    saveAndNext();
    return;
  }
  if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
  if (state.loading && /^Digit/.test(event.code)) { event.preventDefault(); return; }
  if (event.key === "ArrowLeft") { event.preventDefault(); show(state.target - 1); return; }
  if (event.key === "ArrowRight") { event.preventDefault(); show(state.target + 1); return; }
  const digit = /^Digit([0-9])$/.exec(event.code);
  if (!digit) return;
  event.preventDefault();
  const n = Number(digit[1]);
  if (n === 0) {
    const box = form.querySelector("#not-relevant");
    box.checked = !box.checked;
    syncRelevance(form);
    save(false);
    return;
  }
  const frame = state.frames[n - 1];
  if (!frame || form.querySelector("#not-relevant").checked) return;
  if (event.shiftKey) {
    form.querySelector(`#dominant-${frame.id}`).checked = true;
    form.querySelector(`#present-${frame.id}`).checked = true;
  } else {
    const box = form.querySelector(`#present-${frame.id}`);
    box.checked = !box.checked;
    if (!box.checked) form.querySelector(`#dominant-${frame.id}`).checked = false;
  }
  save(false);
});

start().catch(error => status(`could not load: ${error.message}`, "error"));
