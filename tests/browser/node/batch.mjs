// The batch's modules without a page: parts, answers kept by row, 422s located in the file, views,
// the plot's sample and grid, the download, and sending parts with bounded concurrency and Cancel.
import assert from "node:assert/strict";
import { downloadRows, emptyResults, featureStats, locate, pageOf, partsOf, plotPoints, storeAnswer, summary, viewOrder } from "FRONTEND/batch-data.js";
import { sendParts, timeLeft } from "FRONTEND/batch-run.js";
import { readBatch } from "FRONTEND/csv.js";
import { FEATURES } from "FRONTEND/contract.js";
import { axisRange, evenSample, gridInstances, gridSide, median, regionRuns, ticks } from "FRONTEND/plot-data.js";
const names = FEATURES.map((f) => f.name);

// Parts: at most the limit each, covering every row once, in order.
assert.deepEqual(partsOf(25_000, 10_000), [{index: 0, start: 0, end: 10_000}, {index: 1, start: 10_000, end: 20_000}, {index: 2, start: 20_000, end: 25_000}]);
assert.deepEqual(partsOf(3, undefined), [{index: 0, start: 0, end: 3}]);
assert.deepEqual(partsOf(10_000, 10_000).length, 1);

// Answers land under their rows whatever order the parts come back in.
const text = "Id,petal_width,sepal_length,sepal_width,petal_length\n1,0.2,5.1,3.5,1.4\n2,1.3,6.2,2.9,4.3\n\n3,2.3,7.7,3.0,6.1\n4,1.6,6.0,x,5.0\n";
const batch = readBatch(text, names);
const results = emptyResults(4);
storeAnswer(results, 2, {predictions: [2, 1], probabilities: [[0, 0.1, 0.9], [0, 0.55, 0.45]], classes: ["setosa", "versicolor", "virginica"]});
assert.deepEqual(summary(results), {done: 2, perClass: [0, 1, 1], uncertain: 1, classes: ["setosa", "versicolor", "virginica"]});
storeAnswer(results, 0, {predictions: [0, 1], probabilities: [[1, 0, 0], [0, 0.7, 0.3]], classes: ["setosa", "versicolor", "virginica"]});
assert.deepEqual([...results.predicted], [0, 1, 2, 1]);

// A 422 in the second part points at the file's line and the header's column name.
assert.deepEqual(locate({location: "instances[1][1] (sepal_width)", message: "expected a number"}, batch, 2, names),
  {location: "instances[1][1] (sepal_width)", message: "expected a number", row: 3, line: 6, field: "sepal_width", column: "sepal_width", text: "4,1.6,6.0,x,5.0"});
assert.deepEqual(locate({location: "instances", message: "too many"}, batch, 0, names), {location: "instances", message: "too many"});
const plain = readBatch("5.1,3.5,1.4,0.2\n6.2,2.9,4.3\n", names);
assert.equal(locate({location: "instances[0][2] (petal_length)", message: "m"}, plain, 1, names).column, "3 (petal_length)");

// Views: one class, by confidence (ties in file order), unanswered rows last.
assert.deepEqual([...viewOrder(results, {filter: -1, sort: "file"})], [0, 1, 2, 3]);
assert.deepEqual([...viewOrder(results, {filter: -1, sort: "least"})], [3, 1, 2, 0]);
assert.deepEqual([...viewOrder(results, {filter: -1, sort: "most"})], [0, 2, 1, 3]);
assert.deepEqual([...viewOrder(results, {filter: 1, sort: "file"})], [1, 3]);
const partial = emptyResults(3);
storeAnswer(partial, 1, {predictions: [0], probabilities: [[0.5, 0.3, 0.2]], classes: ["a", "b", "c"]});
assert.deepEqual([...viewOrder(partial, {filter: -1, sort: "most"})], [1, 0, 2]);
const page = pageOf(batch, results, viewOrder(results, {filter: -1, sort: "least"}), 0, 2, 5);
assert.deepEqual(page.map((r) => [r.row, r.line, r.uncertain, r.cells]), [[3, 6, true, ["4", "1.6", "6.0", "x", "5.0"]], [1, 3, false, ["2", "1.3", "6.2", "2.9", "4.3"]]]);

// The download: every row in the file's order, the input as it was, then the answer.
const rows = downloadRows(batch, partial.predicted.length === 3 ? results : results, names);
assert.deepEqual(rows[0], ["Id", "petal_width", "sepal_length", "sepal_width", "petal_length", "predicted_class", "probability_setosa", "probability_versicolor", "probability_virginica"]);
assert.deepEqual(rows.slice(1).map((r) => r[0]), ["1", "2", "3", "4"]);
assert.deepEqual(rows[4].slice(5), ["versicolor", 0, 0.55, 0.45]);
const unanswered = downloadRows(plain, emptyResults(2), names);
assert.deepEqual(unanswered[2], ["6.2", "2.9", "4.3", "", ""]);

// Medians and extents skip cells that are not numbers; the plot takes rows with numbers on both axes.
const stats = featureStats(batch, 4);
assert.deepEqual(stats[1], {median: 3, extent: {min: 2.9, max: 3.5}});
assert.ok(Math.abs(stats[3].median - 1.45) < 1e-12);
const points = plotPoints(batch, results, 2, 1, 10);
assert.deepEqual([...points.rows], [0, 1, 2]); assert.equal(points.plotted, 3);
assert.deepEqual([...points.cls], [0, 1, 2]); assert.deepEqual([...points.x], [1.4, 4.3, 6.1]);
assert.deepEqual([...plotPoints(batch, results, 2, 3, 2).rows], [0, 2]);

// The plot's numbers.
assert.deepEqual(evenSample(5, 10), [0, 1, 2, 3, 4]);
assert.deepEqual(evenSample(10, 4), [0, 2, 5, 7]);
assert.equal(median([3, 1, NaN, 2]), 2); assert.equal(median([]), undefined);
assert.deepEqual(ticks({lo: 0, hi: 7.2}), [0, 2, 4, 6]);
assert.deepEqual(ticks({lo: 0.05, hi: 2.6}), [0.5, 1, 1.5, 2, 2.5]);
const range = axisRange({observedMin: 1, observedMax: 7}, {min: 0.5, max: 9});
assert.ok(Math.abs(range.lo - 0.075) < 1e-12 && Math.abs(range.hi - 9.425) < 1e-12, JSON.stringify(range));
assert.deepEqual(axisRange({observedMin: 1, observedMax: 7}, null), {lo: 0.7, hi: 7.3});
assert.equal(gridSide(10_000), 50); assert.equal(gridSide(400), 20); assert.equal(gridSide(undefined), 50);
const grid = gridInstances({x: 2, y: 3, xRange: {lo: 0, hi: 4}, yRange: {lo: 0, hi: 2}, side: 2, held: [5, 3, 0, 0]});
assert.deepEqual(grid, [[5, 3, 1, 0.5], [5, 3, 3, 0.5], [5, 3, 1, 1.5], [5, 3, 3, 1.5]]);
assert.deepEqual(regionRuns([0, 0, 1, 1, 1, 2, 2, 2, 2], 3), [
  {row: 0, start: 0, length: 2, cls: 0}, {row: 0, start: 2, length: 1, cls: 1},
  {row: 1, start: 0, length: 2, cls: 1}, {row: 1, start: 2, length: 1, cls: 2}, {row: 2, start: 0, length: 3, cls: 2}]);

// Sending: never more than the concurrency in flight; a failure keeps the rest; Cancel sends no more.
const parts = partsOf(7, 1);
let inFlight = 0, most = 0;
const sent = [];
const outcome = await sendParts(parts, {
  signal: new AbortController().signal, concurrency: 3,
  async send(part) {
    sent.push(part.index); most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5 + (part.index % 3) * 5));
    inFlight--;
    if (part.index === 1) throw new Error("boom");
  },
});
assert.equal(most, 3); assert.deepEqual(sent.sort(), [0, 1, 2, 3, 4, 5, 6]);
assert.deepEqual(outcome.failed.map((p) => p.index), [1]); assert.deepEqual(outcome.done.map((p) => p.index), [0, 2, 3, 4, 5, 6]);
const cancel = new AbortController();
const started = [];
const cancelled = await sendParts(parts, {
  signal: cancel.signal, concurrency: 2,
  send: (part, signal) => new Promise((resolve, reject) => {
    started.push(part.index);
    if (started.length === 3) cancel.abort();
    signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    setTimeout(resolve, 20);
  }),
});
assert.deepEqual(started, [0, 1, 2]);
// Part 0 had finished; part 2 finished in spite of the abort; part 1 was aborted in flight; 3 to 6 never went.
assert.deepEqual(cancelled.done.map((p) => p.index), [0, 2]);
assert.deepEqual(cancelled.notSent.map((p) => p.index), [1, 3, 4, 5, 6]); assert.deepEqual(cancelled.failed, []);
assert.equal(timeLeft(0, 10, 1000), ""); assert.equal(timeLeft(10, 10, 1000), "");
assert.equal(timeLeft(2, 10, 1000), "about 4 s left"); assert.equal(timeLeft(1, 100, 2000), "about 4 min left");
console.log("all batch checks passed");
