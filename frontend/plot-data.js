// The numbers behind the plot, with no DOM: axis ranges and ticks, the grid of flowers whose
// predictions draw the decision regions, that grid's answer as runs of one class, and the even
// sample of rows shown when a batch has more rows than the plot's cap. Also run under Node.

/** Rows whose highest class probability is under this are marked as uncertain. */
export const UNCERTAIN_BELOW = 0.6;
/** The most marks the plot draws; above it, an even sample of rows (the plot says so). */
export const MARK_CAP = 3000;
/** The decision-region grid's side: side × side flowers in one request, within the API's row limit. */
export const GRID_SIDE = 50;

/** @typedef {{lo: number, hi: number}} Range */

/**
 * An axis range that holds the guide's observed range and the data's, with a little room.
 * @param {{observedMin: number, observedMax: number}} feature
 * @param {{min: number, max: number}|null} data  the data's extent, null when it has no numbers
 * @returns {Range}
 */
export function axisRange(feature, data) {
  const lo = Math.min(feature.observedMin, data?.min ?? Infinity);
  const hi = Math.max(feature.observedMax, data?.max ?? -Infinity);
  const pad = (hi - lo) * 0.05 || 0.5;
  return { lo: Math.max(0, lo - pad), hi: hi + pad };
}

/** Round tick values inside the range: steps of 1, 2 or 5 times a power of ten, 4 to 10 of them. @param {Range} range */
export function ticks({ lo, hi }) {
  const rough = (hi - lo) / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const values = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) values.push(Number(v.toFixed(10)));
  return values;
}

/** The grid's side: GRID_SIDE, or less when the API takes fewer rows per request. @param {number|undefined} maxRows */
export function gridSide(maxRows) {
  return maxRows === undefined ? GRID_SIDE : Math.max(2, Math.min(GRID_SIDE, Math.floor(Math.sqrt(maxRows))));
}

/**
 * The grid's flowers, row by row from the bottom of the plot up: cell centres on the two axes,
 * the other measurements held at the values given.
 * @param {{x: number, y: number, xRange: Range, yRange: Range, side: number, held: number[]}} grid
 *   x, y: the axes' feature indexes; held: a value for every feature (those of x and y are replaced)
 * @returns {number[][]}
 */
export function gridInstances({ x, y, xRange, yRange, side, held }) {
  const rows = [];
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const row = [...held];
      row[x] = round(xRange.lo + ((i + 0.5) * (xRange.hi - xRange.lo)) / side);
      row[y] = round(yRange.lo + ((j + 0.5) * (yRange.hi - yRange.lo)) / side);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * The grid's answer as horizontal runs of one predicted class, so that a region is a few
 * rectangles rather than one per cell.
 * @param {number[]} predictions  side × side, in gridInstances' order
 * @param {number} side
 * @returns {Array<{row: number, start: number, length: number, cls: number}>}
 */
export function regionRuns(predictions, side) {
  const runs = [];
  for (let j = 0; j < side; j++) {
    let start = 0;
    for (let i = 1; i <= side; i++) {
      const cls = predictions[j * side + start];
      if (i === side || predictions[j * side + i] !== cls) {
        runs.push({ row: j, start, length: i - start, cls });
        start = i;
      }
    }
  }
  return runs;
}

/**
 * At most `cap` of `count` items, evenly spread (so a file sorted by species keeps its proportions).
 * @param {number} count
 * @param {number} cap
 * @returns {number[]} positions 0..count-1, ascending
 */
export function evenSample(count, cap) {
  if (count <= cap) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: cap }, (_, i) => Math.floor((i * count) / cap));
}

/** The median of the finite numbers, or undefined when there are none. @param {ArrayLike<number>} values */
export function median(values) {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** @param {number} value  to 4 decimals, so that the grid's request is short and readable */
function round(value) {
  return Math.round(value * 10_000) / 10_000;
}
