// Two small DOM helpers the page's modules share: an element by id, and an element builder.

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A small element builder: h("p", {class: "x"}, "text", child).
 * @param {string} tag
 * @param {Record<string, string|number|boolean|undefined>} [attributes]
 * @param {...(Node|string|number|null|undefined|false)} children
 */
export function h(tag, attributes = {}, ...children) {
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
