// The API's request rules, read from its OpenAPI document (docs/openapi.json, served next to the
// page) so that the page never restates them: rows per request and each measurement's bounds.
// Without the document the page checks nothing before sending and lets the API say what is wrong.

/**
 * @typedef {object} FieldRule
 * @property {string} name
 * @property {string} [title]        e.g. "Sepal Length"
 * @property {string} [description]  e.g. "centimetres"
 * @property {number} [minimum]
 * @property {number} [maximum]
 *
 * @typedef {object} ApiRules
 * @property {string} source                 where they were read from
 * @property {number} [minRows]              PredictRequest.instances.minItems
 * @property {number} [maxRows]              PredictRequest.instances.maxItems
 * @property {Map<string, FieldRule>} fields by feature name, in the document's order
 */

/**
 * @param {string} [url]
 * @returns {Promise<ApiRules|null>} null when the document is missing or unreadable
 */
export async function loadApiRules(url = "./openapi.json") {
  try {
    const response = await fetch(url, { cache: "no-cache", signal: AbortSignal.timeout(5000) });
    if (!response.ok) return null;
    return rulesFrom(await response.json(), new URL(url, document.baseURI).href);
  } catch (error) {
    console.warn(`No API rules from ${url}:`, error);
    return null;
  }
}

/**
 * @param {any} doc  an OpenAPI 3.x document
 * @param {string} source
 * @returns {ApiRules|null}
 */
export function rulesFrom(doc, source) {
  /** @param {any} schema */
  const deref = (schema) => {
    const ref = schema?.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
    return ref
      .slice(2)
      .split("/")
      .reduce((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  };
  const request =
    deref(doc?.paths?.["/predict"]?.post?.requestBody?.content?.["application/json"]?.schema) ??
    doc?.components?.schemas?.PredictRequest;
  const instances = deref(request?.properties?.instances);
  if (!instances) return null;

  /** @type {any[]} */
  const variants = (instances.items?.oneOf ?? instances.items?.anyOf ?? [instances.items]).map(deref);
  const named = variants.find((variant) => variant?.properties);
  const list = variants.find((variant) => variant?.type === "array");
  const listItem = deref(list?.items) ?? {};
  /** @type {Map<string, FieldRule>} */
  const fields = new Map();
  const names = named ? (named.required ?? Object.keys(named.properties)) : [];
  for (const name of names) {
    const property = deref(named.properties[name]) ?? {};
    fields.set(name, {
      name,
      title: property.title,
      description: property.description ?? listItem.description,
      minimum: number(property.minimum ?? listItem.minimum),
      maximum: number(property.maximum ?? listItem.maximum),
    });
  }
  return { source, minRows: number(instances.minItems), maxRows: number(instances.maxItems), fields };
}

/** @param {unknown} value */
function number(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
