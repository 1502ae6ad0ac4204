// Many flowers: CSV pasted or picked, read and sent off the main thread (batch-worker.js) in parts
// of at most the API's row limit, a few at a time, with progress and Cancel; then the plot, the
// paged table and the download; failed parts named by their rows, with a retry of just those.

import { errorFrom } from "./batch-data.js";
import { showProblems } from "./batch-problems.js";
import { timeLeft } from "./batch-run.js";
import { ask, onProgress } from "./batch-store.js";
import { CsvError } from "./csv.js";
import { showBatchPlot } from "./batch-plot.js";
import { byId, h } from "./dom.js";
import { hideError, showError } from "./errors.js";
import { count, seconds, UNIT } from "./format.js";
import { answerDetails, prepareRequest } from "./request.js";
import { resetTable, setUpTable } from "./results-table.js";
import { FEATURE_NAMES, rules } from "./rules.js";

/** @typedef {import("./batch-problems.js").Part} Part */
/** @typedef {import("./batch-problems.js").Failure} Failure */

const batchForm = /** @type {HTMLFormElement} */ (byId("batch-form"));
const csvText = /** @type {HTMLTextAreaElement} */ (byId("csv-text"));
const csvFile = /** @type {HTMLInputElement} */ (byId("csv-file"));
const classifyButton = /** @type {HTMLButtonElement} */ (byId("classify-batch"));
const cancelButton = /** @type {HTMLButtonElement} */ (byId("cancel-batch"));
const progress = /** @type {HTMLProgressElement} */ (byId("batch-progress"));
const batchStatus = byId("batch-status");
const batchError = byId("batch-error");
const batchResult = byId("batch-result");
const requestState = {};

/**
 * The batch being classified.
 * @typedef {object} Run
 * @property {string} label  "The file flowers.csv" or "The pasted text"
 * @property {boolean} fromTextBox
 * @property {number} rows
 * @property {string[]} columns
 * @property {Part[]} parts
 * @property {Map<number, Failure>} failures  by part index
 * @property {Part[]} notSent
 * @property {{model_version: string, requestId: string|null, variant: string|null}|null} lastAnswer
 * @property {ReturnType<typeof import("./settings.js").currentSettings>} settings
 * @property {number} done  rows answered
 */
/** @type {Run|null} */
let run = null;

function describeBatchInput() {
  const limit =
    rules?.maxRows !== undefined
      ? `Files of any size: they go to the API in parts of up to ${count.format(rules.maxRows)} rows (its limit, from openapi.json).`
      : "The row limit is unknown (openapi.json was not found), so the file goes in one request; the API will say if there are too many.";
  byId("batch-hint").textContent =
    `One flower per line: ${FEATURE_NAMES.join(", ")}, in ${UNIT}. A header row with those names is optional; ` +
    `with one, the columns may come in any order and other columns (such as species) are kept in the results but not sent. ${limit}`;
}

async function classifyBatch() {
  hideError(batchError);
  const file = csvFile.files?.[0];
  const source = file ? { file, label: `The file ${file.name}` } : { text: csvText.value, label: "The pasted text" };
  if (!file && csvText.value.trim() === "") {
    batchStatus.textContent = "";
    return showError(batchError, { sentence: "Paste CSV text or choose a .csv file first." });
  }
  const { settings, signal, problem } = prepareRequest(requestState);
  if (problem) return showError(batchError, { sentence: problem, settings: true });
  batchStatus.textContent = `Reading ${source.label.charAt(0).toLowerCase()}${source.label.slice(1)}…`;
  let loaded;
  try {
    loaded = await ask("load", { file, text: source.text, maxRows: rules?.maxRows });
  } catch (error) {
    batchStatus.textContent = "";
    const reason = /** @type {Error} */ (error).message;
    return showError(batchError, { sentence: error instanceof CsvError ? reason : `This page could not read the file: ${reason}` });
  }
  if (signal.aborted) return;
  if (rules?.minRows !== undefined && loaded.rows < rules.minRows) {
    batchStatus.textContent = "";
    return showError(batchError, { sentence: `${source.label} has no rows of measurements${loaded.header ? ", only a header" : ""}.` });
  }
  run = { label: source.label, fromTextBox: !file, rows: loaded.rows, columns: loaded.columns, parts: loaded.parts, failures: new Map(), notSent: [], lastAnswer: null, settings, done: 0 };
  batchResult.hidden = true;
  const requests = run.parts.length === 1 ? "" : ` in ${count.format(run.parts.length)} requests`;
  batchStatus.textContent = `Classifying ${count.format(run.rows)} row${run.rows === 1 ? "" : "s"}${requests}…`;
  await sendAndShow(run, run.parts, signal);
}

/**
 * Sends parts of the run (batch-worker.js does, off the main thread), with progress and Cancel,
 * then shows what the run has.
 * @param {Run} current @param {Part[]} parts @param {AbortSignal} signal
 */
async function sendAndShow(current, parts, signal) {
  const started = performance.now();
  const startDone = current.done;
  const sending = new Set(parts.map((part) => part.index));
  sending.forEach((index) => current.failures.delete(index));
  current.notSent = current.notSent.filter((part) => !sending.has(part.index));
  onProgress((done) => {
    current.done = done;
    showProgress(current, started, startDone, true);
  });
  showProgress(current, started, startDone, true);
  batchResult.setAttribute("aria-busy", "true");
  signal.addEventListener("abort", () => ask("cancel"), { once: true });
  const outcome = await ask("send", { parts, settings: current.settings });
  if (run !== current) return; // a newer batch took over
  for (const failure of outcome.failures) current.failures.set(failure.part.index, { ...failure, error: errorFrom(failure.error) });
  current.notSent.push(...outcome.notSent);
  current.lastAnswer = outcome.lastAnswer ?? current.lastAnswer;
  current.done = (await ask("summary")).done;
  showProgress(current, started, startDone, false);
  batchResult.removeAttribute("aria-busy");
  await showOutcome(current, performance.now() - started);
}

/** @param {Run} current @param {number} started @param {number} startDone @param {boolean} running */
function showProgress(current, started, startDone, running) {
  progress.max = current.rows;
  progress.value = current.done;
  const left = running ? timeLeft(current.done - startDone, current.rows - startDone, performance.now() - started) : "";
  const text = `${count.format(current.done)} of ${count.format(current.rows)} rows classified${left ? `, ${left}` : ""}`;
  progress.setAttribute("aria-valuetext", text);
  byId("batch-progress-text").textContent = text;
  byId("batch-progress-area").hidden = current.parts.length === 1 && !running;
  const hadFocus = document.activeElement === cancelButton;
  cancelButton.hidden = !running;
  classifyButton.disabled = running;
  if (hadFocus && !running) classifyButton.focus();
}

/** The status sentence, the problems, the plot and the table. @param {Run} current @param {number} elapsed */
async function showOutcome(current, elapsed) {
  const failures = [...current.failures.values()].sort((a, b) => a.part.index - b.part.index);
  showProblems(batchError, { failures, notSent: current.notSent, wholeFile: current.parts.length === 1, fromTextBox: current.fromTextBox, settings: current.settings });
  const { done, perClass, uncertain, classes } = await ask("summary");
  if (done === 0) {
    batchStatus.textContent = current.notSent.length ? "Cancelled: no rows were classified." : "";
    batchResult.hidden = true;
    return;
  }
  const tallies = classes.map((/** @type {string} */ name, /** @type {number} */ k) => `${count.format(perClass[k])} ${name}`).join(", ");
  const all = done === current.rows;
  batchStatus.textContent =
    `${current.label} ${all ? "is classified" : "is partly classified"}: ${count.format(done)} ` +
    `${all ? "" : `of ${count.format(current.rows)} `}row${done === 1 ? "" : "s"}` +
    ` in ${seconds(elapsed)}, ${tallies}; ${count.format(uncertain)} uncertain.`;
  batchStatus.dataset.elapsedMs = String(Math.round(elapsed));
  byId("batch-answer").replaceChildren(current.lastAnswer ? answerDetails(current.lastAnswer) : "");
  batchResult.hidden = false;
  // The table, then the plot, each in a frame of its own: together they would hold the page up.
  await resetTable(classes, current.columns);
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  await showBatchPlot(classes);
}

/** @param {number} line  1-based */
function selectLine(line) {
  const lines = csvText.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  csvText.focus();
  csvText.setSelectionRange(start, start + (lines[line - 1] ?? "").length);
}

async function download() {
  const blob = await ask("download");
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: "iris-predictions.csv", hidden: true });
  document.body.append(link);
  /** @type {HTMLAnchorElement} */ (link).click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function clear() {
  requestState.controller?.abort();
  run = null;
  csvText.value = "";
  csvFile.value = "";
  batchStatus.textContent = "";
  hideError(batchError);
  batchResult.hidden = true;
  byId("batch-progress-area").hidden = true;
  csvText.focus();
}

export function setUpManyFlowers() {
  describeBatchInput();
  setUpTable();
  batchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    classifyBatch();
  });
  csvText.addEventListener("input", () => {
    if (csvFile.value) csvFile.value = ""; // typing means the text box is the source again
  });
  csvFile.addEventListener("change", () => {
    const file = csvFile.files?.[0];
    batchStatus.textContent = file ? `${file.name} is chosen; Classify all sends it (the text box is not used).` : "";
  });
  cancelButton.addEventListener("click", () => requestState.controller?.abort());
  byId("clear-batch").addEventListener("click", clear);
  byId("download-csv").addEventListener("click", download);
  batchError.addEventListener("click", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const line = target.closest("[data-select-line]")?.getAttribute("data-select-line");
    if (line) return selectLine(Number(line));
    const retry = target.closest("[data-retry-parts]")?.getAttribute("data-retry-parts");
    if (!retry || !run) return;
    const indexes = retry.split(" ").map(Number);
    const { settings, signal, problem } = prepareRequest(requestState);
    if (problem) return showError(batchError, { sentence: problem, settings: true });
    const current = run;
    current.settings = settings; // the settings as they are now: a fixed key counts
    sendAndShow(current, current.parts.filter((part) => indexes.includes(part.index)), signal);
  });
}
