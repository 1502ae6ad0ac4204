// Small DOM helpers the page's modules share: an element by id, and element builders (HTML and SVG).

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {Record<string, string|number|boolean|undefined>} Attributes */
/** @typedef {Node|string|number|null|undefined|false} Child */

const SVG_TAGS = new Set(["svg", "rect"]);

/**
 * A small element builder: h("p", {class: "x"}, "text", child).
 * @param {string} tag
 * @param {Attributes} [attributes]
 * @param {...Child} children
 */
export function h(tag, attributes = {}, ...children) {
  const element = SVG_TAGS.has(tag) ? document.createElementNS(SVG, tag) : document.createElement(tag);
  return filled(element, attributes, children);
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * The same for SVG elements: svg("circle", {cx: 1, cy: 2, r: 3}).
 * @param {string} tag
 * @param {Attributes} [attributes]
 * @param {...Child} children
 */
export function svg(tag, attributes = {}, ...children) {
  return filled(document.createElementNS(SVG, tag), attributes, children);
}

/** @template {Element} E @param {E} element @param {Attributes} attributes @param {Child[]} children */
function filled(element, attributes, children) {
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
