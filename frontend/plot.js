// The scatter plot as plain SVG: the model's decision regions behind, one mark per row (colour and
// shape by predicted class, uncertain rows outlined and drawn last), labelled flowers on top, axes
// with ticks, and a title and description for assistive technology. Only drawing: plot-panel.js
// decides what.

import { h, svg } from "./dom.js";
import { cm } from "./format.js";
import { ticks } from "./plot-data.js";

/** @typedef {import("./plot-data.js").Range} Range */
/** @typedef {{label: string, range: Range}} Axis */
/** @typedef {{x: number, y: number, cls: number, label: string}} Flower */

/**
 * @typedef {object} PlotSpec
 * @property {string} id            a prefix for the ids inside
 * @property {string} title
 * @property {string} description
 * @property {Axis} xAxis
 * @property {Axis} yAxis
 * @property {string[]} classes
 * @property {{side: number, runs: Array<{row: number, start: number, length: number, cls: number}>}|null} regions
 * @property {{x: ArrayLike<number>, y: ArrayLike<number>, cls: ArrayLike<number>, uncertain: ArrayLike<number>}} points
 * @property {Flower[]} references  labelled flowers drawn hollow, such as the guide's three
 * @property {Flower|null} highlight  the flower the plot is about, drawn large
 */

/** The drawing's size in its own units: a narrow figure (a phone) gets fewer units, so text and marks stay legible. */
const SIZES = { wide: { width: 640, height: 440 }, narrow: { width: 400, height: 340 } };
const MARGIN = { left: 60, right: 14, top: 14, bottom: 52 };
const SHAPES = ["circle", "square", "triangle"];

/** The shape for a class, as the marks and the legend draw it. @param {number} cls */
export const shapeOf = (cls) => SHAPES[cls % SHAPES.length];

/**
 * A mark centred on (x, y) of size s (its half-width).
 * @param {number} cls @param {number} x @param {number} y @param {number} s @param {Record<string, string|number>} [attributes]
 */
export function mark(cls, x, y, s, attributes = {}) {
  const shape = shapeOf(cls);
  const classes = `mark cls-${cls % SHAPES.length} ${attributes.class ?? ""}`.trim();
  const common = { ...attributes, class: classes, "data-class": cls };
  if (shape === "circle") return svg("circle", { ...common, cx: x.toFixed(1), cy: y.toFixed(1), r: s });
  if (shape === "square") return svg("rect", { ...common, x: (x - s * 0.9).toFixed(1), y: (y - s * 0.9).toFixed(1), width: s * 1.8, height: s * 1.8 });
  const r = s * 1.25;
  const points = [[x, y - r], [x + r * 0.95, y + r * 0.7], [x - r * 0.95, y + r * 0.7]];
  return svg("polygon", { ...common, points: points.map((p) => p.map((v) => v.toFixed(1)).join(",")).join(" ") });
}

/**
 * The outline of one mark as path data, starting with its own "M": one subpath per row.
 * @param {number} cls @param {number} x @param {number} y @param {number} s
 */
function markPath(cls, x, y, s) {
  const f = (/** @type {number} */ v) => v.toFixed(1);
  const shape = shapeOf(cls);
  if (shape === "circle") return `M${f(x - s)},${f(y)}a${s},${s} 0 1,0 ${2 * s},0a${s},${s} 0 1,0 ${-2 * s},0z`;
  if (shape === "square") return `M${f(x - s * 0.9)},${f(y - s * 0.9)}h${f(s * 1.8)}v${f(s * 1.8)}h${f(-s * 1.8)}z`;
  const r = s * 1.25;
  return `M${f(x)},${f(y - r)}l${f(r * 0.95)},${f(r * 1.7)}h${f(-r * 1.9)}z`;
}

/**
 * The rows' marks: one path per class, certain and uncertain apart, each row a subpath. Thousands
 * of marks as a few elements keep style, layout and paint well under a frame.
 * @param {PlotSpec} spec @param {(v: number) => number} sx @param {(v: number) => number} sy
 */
function rowMarks(spec, sx, sy) {
  const { x, y, cls, uncertain } = spec.points;
  /** @type {Map<string, string[]>} */
  const paths = new Map();
  for (let i = 0; i < x.length; i++) {
    const key = `${cls[i]} ${uncertain[i] ? 1 : 0}`;
    if (!paths.has(key)) paths.set(key, []);
    /** @type {string[]} */ (paths.get(key)).push(markPath(cls[i], sx(x[i]), sy(y[i]), uncertain[i] ? 4.5 : 3.5));
  }
  const group = svg("g", { class: "row-marks" });
  const ordered = [...paths.entries()].sort(([a], [b]) => (a.endsWith("1") === b.endsWith("1") ? a.localeCompare(b) : a.endsWith("1") ? 1 : -1));
  for (const [key, parts] of ordered) {
    const [k, unsure] = key.split(" ").map(Number);
    group.append(svg("path", { class: `mark cls-${k % SHAPES.length}${unsure ? " uncertain" : ""}`, "data-class": k, "data-marks": parts.length, d: parts.join("") }));
  }
  return group;
}

/** @param {PlotSpec} spec @returns {SVGSVGElement} */
export function drawPlot(spec) {
  const { xAxis, yAxis } = spec;
  const size = spec.narrow ? SIZES.narrow : SIZES.wide;
  const inner = { width: size.width - MARGIN.left - MARGIN.right, height: size.height - MARGIN.top - MARGIN.bottom };
  const sx = (/** @type {number} */ v) => MARGIN.left + ((v - xAxis.range.lo) / (xAxis.range.hi - xAxis.range.lo)) * inner.width;
  const sy = (/** @type {number} */ v) => MARGIN.top + inner.height - ((v - yAxis.range.lo) / (yAxis.range.hi - yAxis.range.lo)) * inner.height;
  const labelled = svg("g", { class: "labelled" });
  for (const flower of spec.references) {
    labelled.append(mark(flower.cls, sx(flower.x), sy(flower.y), 7, { class: "reference" }), label(flower, sx, sy, 10, size.width));
  }
  if (spec.highlight) {
    const flower = spec.highlight;
    labelled.append(mark(flower.cls, sx(flower.x), sy(flower.y), 9, { class: "highlight" }), label(flower, sx, sy, 13, size.width));
  }
  return /** @type {SVGSVGElement} */ (
    svg(
      "svg",
      {
        class: "plot-svg",
        viewBox: `0 0 ${size.width} ${size.height}`,
        role: "img",
        "aria-labelledby": `${spec.id}-title`,
        "aria-describedby": `${spec.id}-desc`,
        "data-x": xAxis.label,
        "data-y": yAxis.label,
      },
      svg("title", { id: `${spec.id}-title` }, spec.title),
      svg("desc", { id: `${spec.id}-desc` }, spec.description),
      regions(spec, sx, sy, inner),
      axes(spec, sx, sy, size.height),
      rowMarks(spec, sx, sy),
      labelled,
    )
  );
}

/**
 * @param {PlotSpec} spec @param {(v: number) => number} sx @param {(v: number) => number} sy
 * @param {{width: number, height: number}} inner
 */
function regions(spec, sx, sy, inner) {
  const group = svg("g", { class: "regions", "shape-rendering": "crispEdges" });
  if (!spec.regions) return group;
  const { side, runs } = spec.regions;
  const cellWidth = inner.width / side;
  const cellHeight = inner.height / side;
  for (const run of runs) {
    group.append(
      svg("rect", {
        class: `region cls-${run.cls % SHAPES.length}`,
        "data-class": run.cls,
        "data-row": run.row,
        "data-start": run.start,
        "data-cells": run.length,
        x: (sx(spec.xAxis.range.lo) + run.start * cellWidth).toFixed(2),
        y: (sy(spec.yAxis.range.lo) - (run.row + 1) * cellHeight).toFixed(2),
        width: (run.length * cellWidth + 0.3).toFixed(2),
        height: (cellHeight + 0.3).toFixed(2),
      }),
    );
  }
  return group;
}

/** @param {PlotSpec} spec @param {(v: number) => number} sx @param {(v: number) => number} sy @param {number} height */
function axes(spec, sx, sy, height) {
  const { xAxis, yAxis } = spec;
  const left = sx(xAxis.range.lo);
  const bottom = sy(yAxis.range.lo);
  const group = svg(
    "g",
    { class: "axes" },
    svg("line", { class: "axis-line", x1: left, x2: sx(xAxis.range.hi), y1: bottom, y2: bottom }),
    svg("line", { class: "axis-line", x1: left, x2: left, y1: bottom, y2: sy(yAxis.range.hi) }),
    svg("text", { class: "axis-title", x: (left + sx(xAxis.range.hi)) / 2, y: height - 12, "text-anchor": "middle" }, xAxis.label),
    svg(
      "text",
      { class: "axis-title", x: 0, y: 0, transform: `translate(16 ${(bottom + sy(yAxis.range.hi)) / 2}) rotate(-90)`, "text-anchor": "middle" },
      yAxis.label,
    ),
  );
  for (const value of ticks(xAxis.range)) {
    const at = sx(value).toFixed(1);
    group.append(
      svg("line", { class: "tick", x1: at, x2: at, y1: bottom, y2: bottom + 5 }),
      svg("text", { class: "tick-label", x: at, y: bottom + 19, "text-anchor": "middle" }, cm.format(value)),
    );
  }
  for (const value of ticks(yAxis.range)) {
    const at = sy(value).toFixed(1);
    group.append(
      svg("line", { class: "tick", x1: left - 5, x2: left, y1: at, y2: at }),
      svg("text", { class: "tick-label", x: left - 8, y: at, "text-anchor": "end", "dominant-baseline": "middle" }, cm.format(value)),
    );
  }
  return group;
}

/**
 * @param {Flower} flower @param {(v: number) => number} sx @param {(v: number) => number} sy
 * @param {number} gap @param {number} width  the drawing's
 */
function label(flower, sx, sy, gap, width) {
  const x = sx(flower.x);
  const right = x < width * 0.6;
  return svg(
    "text",
    { class: "flower-label", x: (right ? x + gap : x - gap).toFixed(1), y: sy(flower.y).toFixed(1), "text-anchor": right ? "start" : "end", "dominant-baseline": "middle" },
    flower.label,
  );
}

/**
 * The legend as a list: a swatch of each class's shape and colour, and the uncertain outline.
 * @param {string[]} classes @param {string} [uncertainText]  omitted: no uncertain entry
 */
export function legend(classes, uncertainText) {
  const swatch = (/** @type {number} */ cls, /** @type {string} */ extra = "") =>
    h("svg", { class: "swatch", viewBox: "0 0 20 20", "aria-hidden": "true", focusable: "false" }, mark(cls, 10, 10, extra ? 5 : 5.5, extra ? { class: extra } : {}));
  return h(
    "ul",
    { class: "plot-legend" },
    ...classes.map((name, k) => h("li", { "data-class": k }, swatch(k), ` ${name} (${shapeOf(k)})`)),
    uncertainText ? h("li", { class: "legend-uncertain" }, swatch(1, "uncertain"), ` ${uncertainText}`) : null,
  );
}
