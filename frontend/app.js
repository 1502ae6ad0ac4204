// The page: settings, one flower, many flowers. API calls go through client.js, CSV through
// csv.js; the API's request rules come from openapi.json (openapi.js), the model's feature names,
// the guide's ranges and examples from contract.js.

import { ApiError, NetworkError, apiUrl, DEFAULT_TIMEOUT_MS, parseLocation, predict } from "./client.js";
import { FEATURES, GUIDE_EXAMPLES } from "./contract.js";
import { CsvError, readBatch, toCsv } from "./csv.js";
import { loadApiRules } from "./openapi.js";

/** @typedef {import("./client.js").Prediction} Prediction */
/** @typedef {import("./csv.js").Batch} Batch */
/** @typedef {import("./openapi.js").ApiRules} ApiRules */

const DEFAULT_BASE_URL = "http://127.0.0.1:3000";
const STORAGE_KEYS = { baseUrl: "iris-gateway.apiBaseUrl", apiKey: "iris-gateway.apiKey" };
const UNIT = "cm";
const FEATURE_NAMES = FEATURES.map((feature) => feature.name);

const count = new Intl.NumberFormat("en");
const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const cm = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 3, useGrouping: false });

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A small element builder: h("p", {class: "x"}, "text", child).
 * @param {string} tag
 * @param {Record<string, string|number|boolean|undefined>} [attributes]
 * @param {...(Node|string|number|null|undefined|false)} children
 */
function h(tag, attributes = {}, ...children) {
  const svg = ["svg", "rect"].includes(tag);
  const element = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
}

// ------------------------------------------------------------------------------------ settings

const settingsForm = /** @type {HTMLFormElement} */ (byId("settings-form"));
const baseUrlInput = /** @type {HTMLInputElement} */ (byId("api-base-url"));
const apiKeyInput = /** @type {HTMLInputElement} */ (byId("api-key"));
const shareLink = /** @type {HTMLInputElement} */ (byId("share-link"));
const shareIncludeKey = /** @type {HTMLInputElement} */ (byId("share-include-key"));

/** @param {string} key */
function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: settings last as long as the page
  }
}

/** @param {string} key @param {string|null} value */
function store(key, value) {
  try {
    if (value === null || value === "") localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Query parameters (?api=…&key=…) override what is stored, which overrides the default. */
function initialSettings() {
  const query = new URLSearchParams(location.search);
  return {
    baseUrl: query.get("api") || stored(STORAGE_KEYS.baseUrl) || DEFAULT_BASE_URL,
    apiKey: query.get("key") ?? stored(STORAGE_KEYS.apiKey) ?? "",
    fromLink: query.has("api") || query.has("key"),
  };
}

/** What the next request uses: the fields as they are now, saved or not. */
function currentSettings() {
  return { baseUrl: baseUrlInput.value.trim(), apiKey: apiKeyInput.value.trim() };
}

function refreshSettingsView() {
  const { baseUrl, apiKey } = currentSettings();
  byId("settings-summary").textContent = (baseUrl || "(none)") + (apiKey ? " · with API key" : "");
  const url = new URL(location.pathname, location.origin);
  if (baseUrl) url.searchParams.set("api", baseUrl);
  if (apiKey && shareIncludeKey.checked) url.searchParams.set("key", apiKey);
  shareLink.value = url.href;
}

/** @returns {string|null} an error message, or null when the base URL is usable */
function checkBaseUrl() {
  const error = byId("api-base-url-error");
  try {
    apiUrl(currentSettings().baseUrl, "/predict");
    error.hidden = true;
    baseUrlInput.removeAttribute("aria-invalid");
    return null;
  } catch (problem) {
    error.textContent = /** @type {Error} */ (problem).message;
    error.hidden = false;
    baseUrlInput.setAttribute("aria-invalid", "true");
    return error.textContent;
  }
}

function openSettings() {
  /** @type {HTMLDetailsElement} */ (byId("settings")).open = true;
  baseUrlInput.focus();
}

function setUpSettings() {
  const initial = initialSettings();
  baseUrlInput.value = initial.baseUrl;
  apiKeyInput.value = initial.apiKey;
  if (initial.fromLink) {
    byId("settings-status").textContent = "Using the API settings from the link; save them to keep them.";
  }
  refreshSettingsView();
  for (const input of [baseUrlInput, apiKeyInput, shareIncludeKey]) {
    input.addEventListener("input", refreshSettingsView);
  }
  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (checkBaseUrl()) return baseUrlInput.focus();
    const { baseUrl, apiKey } = currentSettings();
    const saved = store(STORAGE_KEYS.baseUrl, baseUrl) && store(STORAGE_KEYS.apiKey, apiKey);
    byId("settings-status").textContent = saved
      ? "Saved in this browser."
      : "This browser does not allow saving; the settings last until the page is closed.";
  });
  byId("forget-settings").addEventListener("click", () => {
    store(STORAGE_KEYS.baseUrl, null);
    store(STORAGE_KEYS.apiKey, null);
    baseUrlInput.value = DEFAULT_BASE_URL;
    apiKeyInput.value = "";
    checkBaseUrl();
    refreshSettingsView();
    byId("settings-status").textContent = `Forgotten; back to ${DEFAULT_BASE_URL} without a key.`;
  });
  byId("copy-share-link").addEventListener("click", async () => {
    const status = byId("share-status");
    try {
      await navigator.clipboard.writeText(shareLink.value);
      status.textContent = shareIncludeKey.checked
        ? "Link copied. It contains the API key: share it only with people who may use it."
        : "Link copied.";
    } catch {
      shareLink.select();
      status.textContent = "Copying is not allowed here; the link is selected, press Ctrl+C (or ⌘C) to copy it.";
    }
  });
}

// ------------------------------------------------------------------------------- the API rules

/** @type {ApiRules|null} */
let rules = null;

/** @param {import("./contract.js").Feature} feature */
function featureLabel(feature) {
  const title = rules?.fields.get(feature.name)?.title ?? feature.name.replaceAll("_", " ");
  return title.charAt(0).toUpperCase() + title.slice(1).toLowerCase();
}

/** "0 to 30 cm", or null when the document gives no bounds. @param {string} name */
function accepted(name) {
  const field = rules?.fields.get(name);
  if (field?.minimum === undefined || field.maximum === undefined) return null;
  return `${field.minimum} to ${field.maximum} ${UNIT}`;
}

function describeRules() {
  const text = byId("api-rules");
  if (!rules) {
    text.textContent =
      "The API's request rules (openapi.json) were not found next to this page, so nothing is checked " +
      "before sending: the API itself says what is wrong.";
    return;
  }
  const documented = rules.fields.size > 0 ? [...rules.fields.keys()] : FEATURE_NAMES;
  if (documented.join() !== FEATURE_NAMES.join()) {
    console.warn("openapi.json names features", documented, "but contract.js", FEATURE_NAMES);
  }
  const rows =
    rules.maxRows === undefined ? "" : ` ${count.format(rules.minRows ?? 1)} to ${count.format(rules.maxRows)} rows;`;
  const bounds = accepted(FEATURE_NAMES[0]);
  text.textContent = `Request rules from ${rules.source}:${rows}${bounds ? ` each measurement ${bounds}.` : ""}`;
}

// --------------------------------------------------------------------------- errors, in words

/**
 * A plain sentence for a failed request, and what to show with it.
 * @param {unknown} error
 * @param {{baseUrl: string, apiKey: string}} sent  the settings the request went out with
 * @returns {{sentence: string, apiSaid?: string, requestId?: string|null, settings?: boolean}}
 */
function describeError(error, { baseUrl, apiKey }) {
  if (error instanceof ApiError) {
    const apiSaid = error.message;
    const requestId = error.requestId;
    const wait =
      error.retryAfter === null
        ? "Wait a moment and try again."
        : `Try again in ${error.retryAfter} second${error.retryAfter === 1 ? "" : "s"}.`;
    switch (error.status) {
      case 400:
        return { sentence: "The API could not read the request.", apiSaid, requestId };
      case 403:
        if (/missing authentication token/i.test(error.message)) {
          return {
            sentence:
              "The API has no such route, or it wants signed (IAM) requests, which this page cannot make. " +
              "Check the API base URL: a deployed API's ends with its stage, such as /Prod.",
            apiSaid,
            requestId,
            settings: true,
          };
        }
        return {
          sentence: apiKey
            ? "The API refused the API key. Check the key in the API settings."
            : "The API needs an API key. Enter it in the API settings.",
          apiSaid,
          requestId,
          settings: true,
        };
      case 404:
      case 405:
        return { sentence: "The API has no such route: check the API base URL.", apiSaid, requestId, settings: true };
      case 413:
        return { sentence: "The request is too large for the API. Send fewer rows at a time.", apiSaid, requestId };
      case 415:
        return { sentence: "The API refused the request's content type.", apiSaid, requestId };
      case 422:
        return { sentence: "The API did not accept the measurements.", apiSaid, requestId };
      case 429:
        return { sentence: `The API is getting too many requests. ${wait}`, apiSaid, requestId };
      case 500:
        return { sentence: "The API failed with an internal error. Try again; if it persists, report the request id.", apiSaid, requestId };
      case 502:
        return { sentence: "The model service did not give a usable answer. Try again later; if it persists, report the request id.", apiSaid, requestId };
      case 503:
        return { sentence: `The model is busy or not ready yet. ${wait}`, apiSaid, requestId };
      case 504:
        return { sentence: "The model did not answer in time. Try again, perhaps with fewer rows.", apiSaid, requestId };
      default:
        return { sentence: `The API answered with status ${error.status}.`, apiSaid, requestId };
    }
  }
  if (error instanceof NetworkError) {
    if (error.reason === "timeout") {
      return { sentence: `The API did not answer within ${DEFAULT_TIMEOUT_MS / 1000} seconds. Try again, perhaps with fewer rows.` };
    }
    if (error.reason === "blocked") {
      return {
        sentence:
          `The API at ${baseUrl} answered, but the browser did not let this page read the answer. Most likely ` +
          `the API does not allow this page's origin (${location.origin}) by CORS: add ${location.origin} to the ` +
          "API's allowed origins (ALLOWED_ORIGINS, or the stack's AllowedOrigins parameter), or open the page from an allowed origin.",
        settings: true,
      };
    }
    const mixed = location.protocol === "https:" && baseUrl.startsWith("http:");
    return {
      sentence: mixed
        ? `This page is served over HTTPS, and browsers block its requests to the plain-HTTP API at ${baseUrl}. Use the API's https:// URL.`
        : `Could not reach the API at ${baseUrl}. Check that it is running (make run starts it locally) and that the API base URL is right.`,
      settings: true,
    };
  }
  if (error instanceof TypeError) {
    return { sentence: error.message, settings: true };
  }
  return { sentence: `Something went wrong in this page: ${String(error)}` };
}

/**
 * @param {HTMLElement} box
 * @param {ReturnType<typeof describeError>} described
 * @param {Node[]} [extra]  shown between the API's message and the request id
 */
function showError(box, { sentence, apiSaid, requestId, settings }, extra = []) {
  const parts = [
    h("p", { class: "error-sentence" }, sentence),
    apiSaid ? h("p", { class: "api-said" }, "The API said: ", h("q", {}, apiSaid)) : null,
    ...extra,
    requestId ? h("p", { class: "request-id" }, "Request id: ", h("code", {}, requestId)) : null,
    settings ? h("p", {}, h("button", { type: "button", class: "secondary link-button", "data-open-settings": true }, "Open the API settings")) : null,
  ];
  box.replaceChildren(.../** @type {Node[]} */ (parts.filter(Boolean)));
}

/** The alert stays in the page (so that screen readers announce what goes in), empty. @param {HTMLElement} box */
function hideError(box) {
  box.replaceChildren();
}

/** Everything before a request: a usable base URL, and the previous request of the form aborted. */
function prepareRequest(/** @type {{controller?: AbortController}} */ state) {
  state.controller?.abort();
  state.controller = new AbortController();
  const problem = checkBaseUrl();
  return { settings: currentSettings(), signal: state.controller.signal, problem };
}

/** A model version, the variant and the request id, as a description list. @param {Prediction} answer */
function answerDetails(answer) {
  return h(
    "dl",
    { class: "meta" },
    h("dt", {}, "Model version"),
    h("dd", {}, h("code", { class: "model-version" }, answer.model_version)),
    answer.variant ? h("dt", {}, "Variant") : null,
    answer.variant ? h("dd", { class: "variant" }, answer.variant) : null,
    answer.requestId ? h("dt", {}, "Request id") : null,
    answer.requestId ? h("dd", {}, h("code", { class: "request-id" }, answer.requestId)) : null,
  );
}

// -------------------------------------------------------------------------------- one flower

const oneForm = /** @type {HTMLFormElement} */ (byId("one-form"));
const oneStatus = byId("one-status");
const oneError = byId("one-error");
const oneResult = byId("one-result");
const oneState = {};
/** @type {Map<string, HTMLInputElement>} */
const measurementInputs = new Map();

function buildMeasurementInputs() {
  const container = byId("measurements");
  container.replaceChildren();
  for (const feature of FEATURES) {
    const id = `m-${feature.name}`;
    const field = rules?.fields.get(feature.name);
    const bounds = accepted(feature.name);
    const input = /** @type {HTMLInputElement} */ (
      h("input", {
        id,
        name: feature.name,
        type: "number",
        step: "any",
        inputmode: "decimal",
        min: field?.minimum,
        max: field?.maximum,
        required: true,
        "aria-describedby": `${id}-hint ${id}-error`,
      })
    );
    measurementInputs.set(feature.name, input);
    container.append(
      h(
        "div",
        { class: "field measurement", "data-feature": feature.name },
        h("label", { for: id }, featureLabel(feature), h("span", { class: "visually-hidden" }, ` in ${UNIT}`)),
        h("div", { class: "input-unit" }, input, h("span", { class: "unit", "aria-hidden": "true" }, UNIT)),
        h(
          "p",
          { class: "hint", id: `${id}-hint` },
          `Usually ${cm.format(feature.observedMin)}–${cm.format(feature.observedMax)} ${UNIT}`,
          bounds ? `; the API takes ${bounds}.` : ".",
        ),
        h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
      ),
    );
  }
}

function buildExampleButtons() {
  byId("example-buttons").replaceChildren(
    ...GUIDE_EXAMPLES.map((example, index) =>
      h(
        "button",
        { type: "button", class: "example", "data-example": index },
        h("span", { class: "example-name" }, example.species),
        " ",
        h("span", { class: "example-values" }, example.values.map((value) => cm.format(value)).join(", ")),
      ),
    ),
  );
}

/** @param {string} name @param {string} message */
function showFieldError(name, message) {
  const input = measurementInputs.get(name);
  if (!input) return false;
  const error = byId(`${input.id}-error`);
  error.textContent = error.hidden ? message : `${error.textContent} ${message}`;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  return true;
}

function clearFieldErrors() {
  for (const input of measurementInputs.values()) {
    input.removeAttribute("aria-invalid");
    const error = byId(`${input.id}-error`);
    error.hidden = true;
    error.textContent = "";
  }
}

function focusFirstInvalid() {
  [...measurementInputs.values()].find((input) => input.getAttribute("aria-invalid") === "true")?.focus();
}

async function classifyOne() {
  clearFieldErrors();
  hideError(oneError);
  const row = [];
  for (const feature of FEATURES) {
    const input = /** @type {HTMLInputElement} */ (measurementInputs.get(feature.name));
    if (Number.isNaN(input.valueAsNumber)) {
      showFieldError(feature.name, `Enter the ${featureLabel(feature).toLowerCase()} as a number of ${UNIT}.`);
    }
    row.push(input.valueAsNumber);
  }
  if (row.some(Number.isNaN)) {
    oneStatus.textContent = "";
    showError(oneError, { sentence: "Fill in all four measurements, or pick one of the guide's flowers." });
    focusFirstInvalid();
    return;
  }
  const { settings, signal, problem } = prepareRequest(oneState);
  if (problem) return showError(oneError, { sentence: problem, settings: true });

  oneStatus.textContent = "Classifying…";
  oneResult.setAttribute("aria-busy", "true");
  try {
    const answer = await predict([row], { ...settings, signal });
    renderOneResult(answer);
  } catch (error) {
    if (signal.aborted) return; // a newer request took over
    oneResult.hidden = true;
    oneStatus.textContent = "";
    const described = describeError(error, settings);
    const general = [];
    if (error instanceof ApiError && error.status === 422) {
      for (const detail of error.errors) {
        const where = parseLocation(detail.location);
        const name = where.field ?? (where.column !== undefined ? FEATURE_NAMES[where.column] : undefined);
        if (!(where.row === 0 && name && showFieldError(name, detail.message))) {
          general.push(h("li", {}, `${detail.location}: ${detail.message}`));
        }
      }
      described.sentence = general.length
        ? "The API did not accept the request:"
        : "The API did not accept the measurements; see the marked field.";
    }
    showError(oneError, described, general.length ? [h("ul", {}, ...general)] : []);
    focusFirstInvalid();
  } finally {
    if (!signal.aborted) oneResult.removeAttribute("aria-busy");
  }
}

/** @param {Prediction} answer */
function renderOneResult(answer) {
  const predicted = answer.predictions[0];
  const probabilities = answer.probabilities[0];
  const species = answer.classes[predicted] ?? `class ${predicted}`;
  oneStatus.textContent = `Predicted ${species}, with probability ${percent.format(probabilities[predicted] ?? 0)}.`;
  oneResult.replaceChildren(
    h("p", { class: "species" }, h("span", { class: "species-label" }, "Predicted species"), h("strong", { id: "predicted-species" }, species)),
    h(
      "ul",
      { class: "bars", "aria-label": "Probability of each species" },
      ...answer.classes.map((name, index) => {
        const p = probabilities[index] ?? 0;
        return h(
          "li",
          { class: index === predicted ? "bar is-predicted" : "bar", "data-class": name, "data-probability": p },
          h("span", { class: "bar-name" }, name),
          h(
            "svg",
            { class: "bar-chart", viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
            h("rect", { class: "bar-track", x: 0, y: 0, width: 100, height: 10 }),
            h("rect", { class: "bar-fill", x: 0, y: 0, width: Math.max(0, Math.min(1, p)) * 100, height: 10 }),
          ),
          h("span", { class: "bar-value" }, percent.format(p)),
        );
      }),
    ),
    answerDetails(answer),
  );
  oneResult.hidden = false;
}

function setUpOneFlower() {
  buildMeasurementInputs();
  buildExampleButtons();
  oneForm.addEventListener("submit", (event) => {
    event.preventDefault();
    classifyOne();
  });
  byId("example-buttons").addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("button[data-example]");
    if (!button) return;
    const example = GUIDE_EXAMPLES[Number(button.getAttribute("data-example"))];
    FEATURES.forEach((feature, index) => {
      /** @type {HTMLInputElement} */ (measurementInputs.get(feature.name)).value = cm.format(example.values[index]);
    });
    classifyOne();
  });
}

// ------------------------------------------------------------------------------ many flowers

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

function setUpManyFlowers() {
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

// -------------------------------------------------------------------------------------- start

document.addEventListener("click", (event) => {
  if (/** @type {HTMLElement} */ (event.target).closest("[data-open-settings]")) openSettings();
});
setUpSettings();
rules = await loadApiRules();
describeRules();
setUpOneFlower();
setUpManyFlowers();
byId("loading-notice").remove();
document.documentElement.dataset.ready = "true";
