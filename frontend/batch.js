// Many flowers: CSV pasted or picked (read by csv.js), the row limit checked before sending, the
// results as a table and a CSV download, and each 422 next to the CSV line and column it names.

import { ApiError, parseLocation, predict } from "./client.js";
import { CsvError, readBatch, toCsv } from "./csv.js";
import { byId, h } from "./dom.js";
import { describeError, hideError, showError } from "./errors.js";
import { count, percent, UNIT } from "./format.js";
import { answerDetails, prepareRequest } from "./request.js";
import { FEATURE_NAMES, rules } from "./rules.js";

/** @typedef {import("./client.js").Prediction} Prediction */
/** @typedef {import("./csv.js").Batch} Batch */

const batchForm = /** @type {HTMLFormElement} */ (byId("batch-form"));
const csvText = /** @type {HTMLTextAreaElement} */ (byId("csv-text"));
const csvFile = /** @type {HTMLInputElement} */ (byId("csv-file"));
const batchStatus = byId("batch-status");
const batchError = byId("batch-error");
const batchResult = byId("batch-result");
const batchState = {};
/** @type {{rows: Array<Array<string|number>>, name: string}|null} */
let download = null;

function describeBatchInput() {
  const limit =
    rules?.maxRows !== undefined
      ? `Up to ${count.format(rules.maxRows)} rows per request (the API's limit, from openapi.json).`
      : "The row limit is unknown (openapi.json was not found); the API will say if there are too many.";
  byId("batch-hint").textContent =
    `One flower per line: ${FEATURE_NAMES.join(", ")}, in ${UNIT}. A header row with those names is optional; ` +
    `with one, the columns may come in any order and other columns (such as species) are kept in the results but not sent. ${limit}`;
}

/** @returns {Promise<{text: string, label: string, fromTextBox: boolean}>} */
async function batchSource() {
  const file = csvFile.files?.[0];
  if (file) return { text: await file.text(), label: `The file ${file.name}`, fromTextBox: false };
  return { text: csvText.value, label: "The pasted text", fromTextBox: true };
}

async function classifyBatch() {
  hideError(batchError);
  const { text, label, fromTextBox } = await batchSource();
  if (text.trim() === "") {
    batchStatus.textContent = "";
    return showError(batchError, { sentence: "Paste CSV text or choose a .csv file first." });
  }
  /** @type {Batch} */
  let batch;
  try {
    batch = readBatch(text, FEATURE_NAMES);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    batchStatus.textContent = "";
    return showError(batchError, { sentence: error.message });
  }
  const rows = batch.instances.length;
  if (rules?.maxRows !== undefined && rows > rules.maxRows) {
    batchStatus.textContent = "";
    return showError(batchError, {
      sentence:
        `${label} has ${count.format(rows)} rows, but the API takes at most ${count.format(rules.maxRows)} rows per request. ` +
        `Split it into parts of ${count.format(rules.maxRows)} rows or fewer. Nothing was sent.`,
    });
  }
  if (rules?.minRows !== undefined && rows < rules.minRows) {
    batchStatus.textContent = "";
    return showError(batchError, { sentence: `${label} has no rows of measurements${batch.header ? ", only a header" : ""}.` });
  }

  const { settings, signal, problem } = prepareRequest(batchState);
  if (problem) return showError(batchError, { sentence: problem, settings: true });
  batchStatus.textContent = `Classifying ${count.format(rows)} row${rows === 1 ? "" : "s"}…`;
  batchResult.setAttribute("aria-busy", "true");
  try {
    const answer = await predict(batch.instances, { ...settings, signal });
    renderBatch(batch, answer, label);
  } catch (error) {
    if (signal.aborted) return;
    batchResult.hidden = true;
    batchStatus.textContent = "";
    const described = describeError(error, settings);
    const extra = [];
    if (error instanceof ApiError && error.status === 422 && error.errors.length > 0) {
      described.sentence = "The API did not accept some rows. Fix them and try again:";
      extra.push(h("ul", { class: "row-errors" }, ...error.errors.map((detail) => rowErrorItem(detail, batch, fromTextBox))));
    }
    showError(batchError, described, extra);
  } finally {
    if (!signal.aborted) batchResult.removeAttribute("aria-busy");
  }
}

/**
 * One 422 problem as "Line 7, column petal_width: …", with the line's text and a way to select it.
 * @param {import("./client.js").ErrorDetail} detail
 * @param {Batch} batch
 * @param {boolean} fromTextBox
 */
function rowErrorItem(detail, batch, fromTextBox) {
  const where = parseLocation(detail.location);
  const record = where.row === undefined ? undefined : batch.records[where.row];
  if (!record) return h("li", {}, `${detail.location}: ${detail.message}`);
  const name = where.field ?? (where.column !== undefined ? FEATURE_NAMES[where.column] : undefined);
  let column = "";
  if (name && batch.header) {
    const index = /** @type {number} */ (batch.columnOf.get(name));
    column = `, column ${batch.header[index] || index + 1}`;
  } else if (name) {
    column = `, column ${(batch.columnOf.get(name) ?? 0) + 1} (${name})`;
  }
  return h(
    "li",
    { "data-line": record.line, "data-field": name },
    h("strong", {}, `Line ${record.line}`),
    `${column} (row ${count.format(/** @type {number} */ (where.row) + 1)}): ${detail.message}`,
    h("br"),
    h("code", { class: "line-text" }, record.cells.join(",")),
    fromTextBox ? " " : null,
    fromTextBox ? h("button", { type: "button", class: "secondary link-button", "data-select-line": record.line }, `Select line ${record.line}`) : null,
  );
}

/** @param {number} line  1-based */
function selectLine(line) {
  const lines = csvText.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  csvText.focus();
  csvText.setSelectionRange(start, start + (lines[line - 1] ?? "").length);
}

/**
 * @param {Batch} batch
 * @param {Prediction} answer
 * @param {string} label
 */
function renderBatch(batch, answer, label) {
  const inputColumns = batch.header ?? FEATURE_NAMES;
  const inputs = batch.records.map((record) => inputColumns.map((_, column) => (record.cells[column] ?? "").trim()));
  const species = answer.predictions.map((predicted) => answer.classes[predicted] ?? String(predicted));
  // The download: the input as it was, then the answer, in the API's own terms.
  download = {
    rows: [
      [...inputColumns, "predicted_class", ...answer.classes.map((name) => `probability_${name}`)],
      ...inputs.map((cells, index) => [...cells, species[index], ...(answer.probabilities[index] ?? [])]),
    ],
    name: "iris-predictions.csv",
  };

  // The table: the answer first, so that it shows without scrolling sideways; then the input.
  const table = byId("batch-table");
  /** @type {HTMLElement} */ (table.querySelector("caption")).textContent = `Predictions, ${count.format(inputs.length)} rows`;
  /** @type {HTMLElement} */ (table.querySelector("thead")).replaceChildren(
    h(
      "tr",
      {},
      ...["#", "Predicted", ...answer.classes.map((name) => `P(${name})`), ...inputColumns].map((name) => h("th", { scope: "col" }, name)),
    ),
  );
  const body = document.createDocumentFragment();
  inputs.forEach((cells, index) => {
    const predicted = answer.predictions[index];
    body.append(
      h(
        "tr",
        {},
        h("th", { scope: "row" }, index + 1),
        h("td", { class: "prediction" }, species[index]),
        ...answer.classes.map((_, k) =>
          h("td", { class: k === predicted ? "num top" : "num" }, percent.format(answer.probabilities[index]?.[k] ?? 0)),
        ),
        ...cells.map((cell) => h("td", {}, cell)),
      ),
    );
  });
  /** @type {HTMLElement} */ (table.querySelector("tbody")).replaceChildren(body);
  batchResult.querySelector(".meta")?.remove();
  batchResult.append(answerDetails(answer));
  batchResult.hidden = false;
  const tallies = answer.classes.map((name, k) => `${count.format(answer.predictions.filter((p) => p === k).length)} ${name}`);
  batchStatus.textContent = `${label} is classified: ${count.format(inputs.length)} row${inputs.length === 1 ? "" : "s"}, ${tallies.join(", ")}.`;
}

export function setUpManyFlowers() {
  describeBatchInput();
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
  byId("clear-batch").addEventListener("click", () => {
    csvText.value = "";
    csvFile.value = "";
    batchStatus.textContent = "";
    hideError(batchError);
    batchResult.hidden = true;
    csvText.focus();
  });
  byId("download-csv").addEventListener("click", () => {
    if (!download) return;
    const url = URL.createObjectURL(new Blob([toCsv(download.rows)], { type: "text/csv;charset=utf-8" }));
    const link = h("a", { href: url, download: download.name, hidden: true });
    document.body.append(link);
    /** @type {HTMLAnchorElement} */ (link).click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  batchError.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("[data-select-line]");
    if (button) selectLine(Number(button.getAttribute("data-select-line")));
  });
}
