// The page's end of batch-worker.js: ask(type, fields) posts a message and resolves with the
// worker's answer, or rejects with its error (a CsvError stays a CsvError); onProgress hears how
// many rows are classified as the parts come back.

import { errorFrom } from "./batch-data.js";
import { CsvError } from "./csv.js";

/** @type {Worker|null} */
let worker = null;
let nextId = 0;
/** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
const pending = new Map();
/** @type {(done: number) => void} */
let progressListener = () => {};

/** @param {(done: number) => void} listener  called with the rows classified so far */
export function onProgress(listener) {
  progressListener = listener;
}

function started() {
  if (worker) return worker;
  worker = new Worker(new URL("./batch-worker.js", import.meta.url), { type: "module", name: "batch" });
  worker.addEventListener("message", ({ data }) => {
    if (data.event === "progress") return progressListener(data.done);
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (!waiting) return;
    if (!data.error) return waiting.resolve(data.result);
    const { name, message, line } = data.error;
    waiting.reject(name === "CsvError" ? new CsvError(message, line) : errorFrom(data.error));
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    const error = new Error(`The page's batch worker failed: ${event.message || "it could not start"}`);
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker?.terminate();
    worker = null;
  });
  return worker;
}

/**
 * @param {string} type  a handler of batch-worker.js
 * @param {Record<string, unknown>} [fields]
 * @returns {Promise<any>}
 */
export function ask(type, fields = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    started().postMessage({ ...fields, id, type });
  });
}
