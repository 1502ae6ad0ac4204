/**
 * client.js: a small, dependency-free client for the iris-gateway API. Copy it as it is.
 *
 *   import { predict, ApiError, NetworkError } from "./client.js";
 *
 *   try {
 *     const answer = await predict([[5.1, 3.5, 1.4, 0.2]], { baseUrl: "http://127.0.0.1:3000" });
 *     answer.classes[answer.predictions[0]];   // "setosa"
 *     answer.probabilities[0];                 // [1, 0, 0], in the order of answer.classes
 *   } catch (error) {
 *     if (error instanceof ApiError) { ... }       // the API answered non-2xx: status, message, errors, requestId, retryAfter
 *     else if (error instanceof NetworkError) { ... } // no readable answer: reason "unreachable" | "blocked" | "timeout"
 *     else throw error;                            // AbortError: your own `signal` aborted
 *   }
 *
 * Rows are arrays in the order sepal_length, sepal_width, petal_length, petal_width (centimetres),
 * or objects keyed by those names. The API validates them; a 422 ApiError lists what is wrong in
 * `errors` ([{location, message}], at most 20), and `parseLocation` turns a location such as
 * "instances[0][1] (sepal_width)" into {row: 0, column: 1, field: "sepal_width"}.
 *
 * Browser notes:
 * - Only headers the API lists in Access-Control-Expose-Headers can be read; it exposes
 *   X-Request-Id, Retry-After and X-Model-Variant (the production variant that answered).
 * - A fetch that fails gives no reason: the API may be down, or it answered but CORS forbade
 *   this page to read it. predict then sends a `no-cors` GET to {baseUrl}/health: if that gets
 *   any answer, the server is up and the reason is "blocked" (most likely CORS), else "unreachable".
 * - API key mode sends the `x-api-key` header (the API's CORS preflight allows it).
 */

/** How long predict waits for the whole answer unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

/**
 * @typedef {object} PredictOptions
 * @property {string} baseUrl            API root, e.g. "http://127.0.0.1:3000" or "https://…amazonaws.com/Prod"
 * @property {string} [apiKey]           sent as x-api-key when given
 * @property {AbortSignal} [signal]      abort the request yourself (predict then rethrows the AbortError)
 * @property {number} [timeoutMs]        defaults to DEFAULT_TIMEOUT_MS
 *
 * @typedef {object} Prediction         the API's 200 body, plus two headers
 * @property {number[]} predictions      class index per row
 * @property {number[][]} probabilities  class probabilities per row, in the order of `classes`
 * @property {string[]} classes          class names by index
 * @property {string} model_version      content hash of the model artifact
 * @property {string|null} requestId     X-Request-Id
 * @property {string|null} variant       X-Model-Variant (null when absent or not exposed by CORS)
 *
 * @typedef {{location: string, message: string}} ErrorDetail
 */

/** The API answered with a non-2xx status (or with a 2xx body that is not a prediction). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message  the API's own message when it sent one
   * @param {{errors?: ErrorDetail[], requestId?: string|null, retryAfter?: number|null, body?: unknown}} [details]
   */
  constructor(status, message, { errors = [], requestId = null, retryAfter = null, body = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    /** @type {ErrorDetail[]} */
    this.errors = errors;
    /** @type {string|null} */
    this.requestId = requestId;
    /** Seconds to wait before retrying (from Retry-After), or null. @type {number|null} */
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

/** No answer could be read: "unreachable", "blocked" (most likely CORS) or "timeout". */
export class NetworkError extends Error {
  /**
   * @param {"unreachable"|"blocked"|"timeout"} reason
   * @param {string} message
   * @param {{cause?: unknown}} [options]
   */
  constructor(reason, message, options = {}) {
    super(message, options);
    this.name = "NetworkError";
    this.reason = reason;
  }
}

/**
 * POST {baseUrl}/predict with {"instances": instances}. Rows hold numbers; anything else is sent as
 * it is, and the API's 422 then names the value it refused.
 * @param {Array<unknown[]|Record<string, unknown>>} instances
 * @param {PredictOptions} options
 * @returns {Promise<Prediction>}
 */
export async function predict(instances, { baseUrl, apiKey, signal, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const url = apiUrl(baseUrl, "/predict");
  /** @type {Record<string, string>} */
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (apiKey) headers["x-api-key"] = apiKey;

  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) forwardAbort();
  signal?.addEventListener("abort", forwardAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);

  let response, text;
  try {
    response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ instances }),
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    });
    text = await response.text();
  } catch (error) {
    if (timedOut) {
      throw new NetworkError("timeout", `No answer from ${url} within ${timeoutMs / 1000} s`, { cause: error });
    }
    if (signal?.aborted) throw error;
    const reachable = await answersAtAll(apiUrl(baseUrl, "/health"));
    throw reachable
      ? new NetworkError("blocked", `${url} answered, but the browser did not let this page read it (CORS)`, {
          cause: error,
        })
      : new NetworkError("unreachable", `Could not connect to ${url}`, { cause: error });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forwardAbort);
  }

  const requestId = response.headers.get("X-Request-Id");
  const body = parseJson(text);
  if (!response.ok) {
    const message =
      typeof body?.message === "string" && body.message ? body.message : `The API answered ${response.status}`;
    throw new ApiError(response.status, message, {
      errors: Array.isArray(body?.errors) ? body.errors : [],
      requestId: (typeof body?.requestId === "string" && body.requestId) || requestId,
      retryAfter: parseRetryAfter(response.headers.get("Retry-After")),
      body: body ?? text,
    });
  }
  if (!isPrediction(body)) {
    throw new ApiError(response.status, "The API answered, but not with predictions", { requestId, body: body ?? text });
  }
  return { ...body, requestId, variant: response.headers.get("X-Model-Variant") };
}

/**
 * Where a 422 error points: "instances[2]" → {row: 2}, "instances[0][1] (sepal_width)" →
 * {row: 0, column: 1, field: "sepal_width"}, "instances[3].petal_width" → {row: 3, field: "petal_width"},
 * "instances" or "body" → {} (the request as a whole).
 * @param {string} location
 * @returns {{row?: number, column?: number, field?: string}}
 */
export function parseLocation(location) {
  const found = /^instances\[(\d+)\](?:\[(\d+)\](?: \((\w+)\))?|\.(\w+))?$/.exec(location.trim());
  if (!found) return {};
  /** @type {{row?: number, column?: number, field?: string}} */
  const where = { row: Number(found[1]) };
  if (found[2] !== undefined) where.column = Number(found[2]);
  if (found[3] ?? found[4]) where.field = found[3] ?? found[4];
  return where;
}

/**
 * @param {string} baseUrl
 * @param {string} path
 */
export function apiUrl(baseUrl, path) {
  let base = null;
  try {
    base = new URL(baseUrl);
  } catch {
    // not a URL at all: same answer as a URL of another scheme
  }
  if (base?.protocol !== "http:" && base?.protocol !== "https:") {
    throw new TypeError(
      `The API base URL must start with http:// or https://, such as http://127.0.0.1:3000; got ${JSON.stringify(baseUrl)}`,
    );
  }
  return base.origin + base.pathname.replace(/\/+$/, "") + path;
}

/** @param {string} url  resolves true when the server sends any answer at all, even one CORS hides */
async function answersAtAll(url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    await fetch(url, { mode: "no-cors", credentials: "omit", cache: "no-store", signal: controller.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** @param {string|null} value  delta-seconds or an HTTP date; null when absent or unreadable */
function parseRetryAfter(value) {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

/** @param {string} text */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** @param {any} body */
function isPrediction(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    Array.isArray(body.predictions) &&
    Array.isArray(body.probabilities) &&
    Array.isArray(body.classes) &&
    body.predictions.length === body.probabilities.length
  );
}
