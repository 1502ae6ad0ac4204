// The batch off the page's main thread (a module Web Worker): it reads the CSV, sends the rows to
// the API in parts (batch-run.js, client.js) and keeps their answers, and gives the page what it
// shows (a page of the table, the plot's points, the download), so that a file of 100,000 rows
// never blocks the page. batch-store.js is its other end: each message is {id, type, ...} and gets
// {id, result} or {id, error}; progress goes out as {event: "progress", done}.

import { FEATURES } from "./contract.js";
import * as data from "./batch-data.js";
import { sendParts } from "./batch-run.js";
import { predict } from "./client.js";
import { readBatch, toCsv } from "./csv.js";

const FEATURE_NAMES = FEATURES.map((feature) => feature.name);

/** @type {import("./csv.js").Batch|null} */
let batch = null;
let results = data.emptyResults(0);
/** The last view's order, kept until the view or the answers change. */
let view = { key: "", order: new Uint32Array() };
/** Aborts the parts being sent. */
let sending = new AbortController();

function loaded() {
  if (!batch) throw new Error("No file has been read yet");
  return batch;
}

/** @type {Record<string, (message: any) => Promise<unknown>|unknown>} */
const handlers = {
  async load({ file, text, maxRows }) {
    sending.abort();
    batch = null;
    const read = readBatch(file ? await file.text() : text, FEATURE_NAMES);
    batch = read;
    results = data.emptyResults(read.instances.length);
    view = { key: "", order: new Uint32Array() };
    const parts = data.partsOf(read.instances.length, maxRows);
    return {
      rows: read.instances.length,
      header: read.header !== null,
      columns: data.inputColumns(read, FEATURE_NAMES),
      parts: parts.map((part) => ({ ...part, firstLine: read.lines[part.start], lastLine: read.lines[part.end - 1] })),
    };
  },

  /** Sends the parts; answers whether each was classified, failed (with its error) or not sent. */
  async send({ parts, settings }) {
    const current = loaded();
    sending.abort(); // one sending at a time
    sending = new AbortController();
    /** @type {Array<{part: any, error: ReturnType<typeof data.errorFields>, located: any[]}>} */
    const failures = [];
    let lastAnswer = null;
    const outcome = await sendParts(parts, {
      signal: sending.signal,
      async send(part, signal) {
        const answer = await predict(current.instances.slice(part.start, part.end), { ...settings, signal });
        if (batch !== current) return; // another file was read meanwhile
        data.storeAnswer(results, part.start, answer);
        view.key = "";
        lastAnswer = { model_version: answer.model_version, requestId: answer.requestId, variant: answer.variant };
      },
      onDone: () => self.postMessage({ event: "progress", done: data.summary(results).done }),
      onFail(part, error) {
        const errors = /** @type {any} */ (error)?.status === 422 ? /** @type {any} */ (error).errors : [];
        failures.push({ part, error: data.errorFields(error), located: errors.map((/** @type {any} */ detail) => data.locate(detail, current, part.start, FEATURE_NAMES)) });
      },
    });
    return { failures, notSent: outcome.notSent, lastAnswer };
  },
  cancel: () => sending.abort(),
  summary: () => data.summary(results),
  page({ filter, sort, offset, limit }) {
    const key = `${filter}|${sort}`;
    if (view.key !== key) view = { key, order: data.viewOrder(results, { filter, sort }) };
    const current = loaded();
    return { total: view.order.length, rows: data.pageOf(current, results, view.order, offset, limit, data.inputColumns(current, FEATURE_NAMES).length) };
  },
  stats: () => data.featureStats(loaded(), FEATURE_NAMES.length),
  plot: ({ x, y, cap }) => data.plotPoints(loaded(), results, x, y, cap),
  download: () => new Blob([toCsv(data.downloadRows(loaded(), results, FEATURE_NAMES))], { type: "text/csv;charset=utf-8" }),
};

self.addEventListener("message", async ({ data: message }) => {
  const { id, type } = message;
  try {
    self.postMessage({ id, result: await handlers[type](message) });
  } catch (error) {
    self.postMessage({ id, error: { ...data.errorFields(error), line: /** @type {any} */ (error)?.line } });
  }
});
