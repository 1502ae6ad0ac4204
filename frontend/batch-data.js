// A batch and its answers, with no DOM: the parts it is sent in, the answers kept by row, where a
// 422 points in the file, a page of the table (one class, sorted by confidence), the plot's
// points, the medians, the download, and a failed request's error as a message can carry it.
// batch-worker.js keeps it off the page's main thread; it also runs under Node.

import { ApiError, NetworkError, parseLocation } from "./client.js";
import { evenSample, median, UNCERTAIN_BELOW } from "./plot-data.js";

/** @typedef {import("./csv.js").Batch} Batch */
/** @typedef {{index: number, start: number, end: number}} Part  rows start..end-1 */

/**
 * @typedef {object} Results
 * @property {string[]} classes        class names, once an answer has come
 * @property {Int16Array} predicted    class index per row, -1 until answered
 * @property {Float64Array} top        the highest probability per row, NaN until answered
 * @property {Array<number[]|undefined>} probabilities  per row, as the API sent them
 */

/** The requests a batch of `rows` rows takes: parts of at most `maxRows` (all in one when unknown). */
export function partsOf(/** @type {number} */ rows, /** @type {number|undefined} */ maxRows) {
  const size = maxRows && maxRows > 0 ? maxRows : Math.max(rows, 1);
  /** @type {Part[]} */
  const parts = [];
  for (let start = 0; start < rows; start += size) parts.push({ index: parts.length, start, end: Math.min(rows, start + size) });
  return parts;
}

/** @param {number} rows @returns {Results} */
export function emptyResults(rows) {
  return { classes: [], predicted: new Int16Array(rows).fill(-1), top: new Float64Array(rows).fill(NaN), probabilities: new Array(rows) };
}

/**
 * Keeps a part's answer under its rows.
 * @param {Results} results
 * @param {number} start  the part's first row
 * @param {{predictions: number[], probabilities: number[][], classes: string[]}} answer
 */
export function storeAnswer(results, start, { predictions, probabilities, classes }) {
  if (results.classes.length === 0) results.classes = classes;
  predictions.forEach((predicted, i) => {
    results.predicted[start + i] = predicted;
    results.probabilities[start + i] = probabilities[i];
    results.top[start + i] = Math.max(...(probabilities[i] ?? [NaN]));
  });
}

/** Rows answered, rows per class, and uncertain rows. @param {Results} results */
export function summary(results) {
  const perClass = results.classes.map(() => 0);
  let done = 0;
  let uncertain = 0;
  results.predicted.forEach((predicted, row) => {
    if (predicted < 0) return;
    done++;
    perClass[predicted] = (perClass[predicted] ?? 0) + 1;
    if (results.top[row] < UNCERTAIN_BELOW) uncertain++;
  });
  return { done, perClass, uncertain, classes: results.classes };
}

/**
 * Where a 422 problem in the part starting at `start` is in the file: its line, column and text.
 * @param {import("./client.js").ErrorDetail} detail
 * @param {Batch} batch
 * @param {number} start
 * @param {readonly string[]} featureNames
 */
export function locate(detail, batch, start, featureNames) {
  const where = parseLocation(detail.location);
  const row = where.row === undefined ? undefined : start + where.row;
  const record = row === undefined ? undefined : batch.records[row];
  if (!record || row === undefined) return { location: detail.location, message: detail.message };
  const name = where.field ?? (where.column !== undefined ? featureNames[where.column] : undefined);
  let column;
  if (name && batch.header) {
    const index = /** @type {number} */ (batch.columnOf.get(name));
    column = batch.header[index] || String(index + 1);
  } else if (name) {
    column = `${(batch.columnOf.get(name) ?? 0) + 1} (${name})`;
  }
  return { location: detail.location, message: detail.message, row, line: record.line, field: name, column, text: record.cells.join(",") };
}

/** The input's columns: the header's, or the features' names when there was none. */
export function inputColumns(/** @type {Batch} */ batch, /** @type {readonly string[]} */ featureNames) {
  return batch.header ?? [...featureNames];
}

/** A row's input cells as the file had them (trimmed), one per input column. @param {Batch} batch @param {number} row @param {number} width */
function cellsOf(batch, row, width) {
  return Array.from({ length: width }, (_, column) => (batch.records[row].cells[column] ?? "").trim());
}

/**
 * The rows a view shows, in its order: one class or all, in file order or by confidence.
 * @param {Results} results
 * @param {{filter: number, sort: "file"|"least"|"most"}} view  filter: a class index, or -1 for all
 * @returns {Uint32Array}
 */
export function viewOrder(results, { filter, sort }) {
  const rows = [];
  for (let row = 0; row < results.predicted.length; row++) if (filter < 0 || results.predicted[row] === filter) rows.push(row);
  const order = Uint32Array.from(rows);
  if (sort === "file") return order;
  const sign = sort === "least" ? 1 : -1;
  // Unanswered rows (NaN) go last either way; ties keep the file's order.
  return order.sort((a, b) => {
    const ta = results.top[a];
    const tb = results.top[b];
    if (Number.isNaN(ta) || Number.isNaN(tb)) return Number.isNaN(ta) ? (Number.isNaN(tb) ? a - b : 1) : -1;
    return sign * (ta - tb) || a - b;
  });
}

/**
 * One page of a view, ready for the table.
 * @param {Batch} batch @param {Results} results @param {Uint32Array} order
 * @param {number} offset @param {number} limit @param {number} width  input columns
 */
export function pageOf(batch, results, order, offset, limit, width) {
  return Array.from(order.subarray(offset, offset + limit), (row) => ({
    row,
    line: batch.records[row].line,
    cells: cellsOf(batch, row, width),
    predicted: results.predicted[row],
    probabilities: results.probabilities[row] ?? null,
    uncertain: results.top[row] < UNCERTAIN_BELOW,
  }));
}

/** Each feature's median and extent over the rows where it is a number. @param {Batch} batch @param {number} features */
export function featureStats(batch, features) {
  return Array.from({ length: features }, (_, f) => {
    const values = Float64Array.from(batch.instances, (row) => (typeof row[f] === "number" ? Number(row[f]) : NaN)).filter(Number.isFinite);
    if (values.length === 0) return { median: undefined, extent: null };
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { median: median(values), extent: { min, max } };
  });
}

/**
 * The plot's marks: answered rows with numbers on both axes, at most `cap` of them, evenly spread.
 * @param {Batch} batch @param {Results} results @param {number} x @param {number} y @param {number} cap
 */
export function plotPoints(batch, results, x, y, cap) {
  const rows = [];
  for (let row = 0; row < results.predicted.length; row++) {
    const values = batch.instances[row];
    if (results.predicted[row] >= 0 && typeof values[x] === "number" && typeof values[y] === "number") rows.push(row);
  }
  const shown = evenSample(rows.length, cap).map((i) => rows[i]);
  return {
    plotted: rows.length,
    rows: Uint32Array.from(shown),
    x: Float64Array.from(shown, (row) => Number(batch.instances[row][x])),
    y: Float64Array.from(shown, (row) => Number(batch.instances[row][y])),
    cls: Int16Array.from(shown, (row) => results.predicted[row]),
    uncertain: Uint8Array.from(shown, (row) => (results.top[row] < UNCERTAIN_BELOW ? 1 : 0)),
  };
}

/**
 * The download: the input as it was, then the answer in the API's own terms; every row, in the
 * file's order (rows of a part that failed have empty answer cells).
 * @param {Batch} batch @param {Results} results @param {readonly string[]} featureNames
 */
export function downloadRows(batch, results, featureNames) {
  const classes = results.classes;
  const columns = inputColumns(batch, featureNames);
  /** @type {Array<Array<string|number>>} */
  const rows = [[...columns, "predicted_class", ...classes.map((name) => `probability_${name}`)]];
  batch.records.forEach((_, row) => {
    const predicted = results.predicted[row];
    const answer = predicted < 0 ? classes.map(() => "") : (results.probabilities[row] ?? []);
    rows.push([...cellsOf(batch, row, columns.length), predicted < 0 ? "" : (classes[predicted] ?? String(predicted)), ...answer]);
  });
  return rows;
}

/**
 * An error as postMessage can carry it (a structured clone keeps no class and no own fields).
 * @param {unknown} error
 */
export function errorFields(error) {
  const { name, message, status, errors, requestId, retryAfter, reason } = /** @type {any} */ (error ?? {});
  return { name: name ?? "Error", message: message ?? String(error), status, errors, requestId, retryAfter, reason };
}

/** The error errorFields described, as its class again. @param {ReturnType<typeof errorFields>} fields */
export function errorFrom({ name, message, status, errors, requestId, retryAfter, reason }) {
  if (name === "ApiError") return new ApiError(status, message, { errors, requestId, retryAfter });
  if (name === "NetworkError") return new NetworkError(reason, message);
  return Object.assign(name === "TypeError" ? new TypeError(message) : new Error(message), { name });
}
