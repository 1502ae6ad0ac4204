// Errors in words: a plain sentence for each way a request can fail, shown with what the API said
// and its request id, and a way to the settings when they are the likely cause.

import { ApiError, DEFAULT_TIMEOUT_MS, NetworkError } from "./client.js";
import { h } from "./dom.js";

/**
 * A plain sentence for a failed request, and what to show with it.
 * @param {unknown} error
 * @param {{baseUrl: string, apiKey: string}} sent  the settings the request went out with
 * @returns {{sentence: string, apiSaid?: string, requestId?: string|null, settings?: boolean}}
 */
export function describeError(error, { baseUrl, apiKey }) {
  if (error instanceof ApiError) {
    const apiSaid = error.message;
    const requestId = error.requestId;
    const wait =
      error.retryAfter === null
        ? "Wait a moment and try again."
        : `Try again in ${error.retryAfter} second${error.retryAfter === 1 ? "" : "s"}.`;
    switch (error.status) {
      case 400:
        return { sentence: "The API could not read the request.", apiSaid, requestId };
      case 403:
        if (/missing authentication token/i.test(error.message)) {
          return {
            sentence:
              "The API has no such route, or it wants signed (IAM) requests, which this page cannot make. " +
              "Check the API base URL: a deployed API's ends with its stage, such as /Prod.",
            apiSaid,
            requestId,
            settings: true,
          };
        }
        return {
          sentence: apiKey
            ? "The API refused the API key. Check the key in the API settings."
            : "The API needs an API key. Enter it in the API settings.",
          apiSaid,
          requestId,
          settings: true,
        };
      case 404:
      case 405:
        return { sentence: "The API has no such route: check the API base URL.", apiSaid, requestId, settings: true };
      case 413:
        return { sentence: "The request is too large for the API. Send fewer rows at a time.", apiSaid, requestId };
      case 415:
        return { sentence: "The API refused the request's content type.", apiSaid, requestId };
      case 422:
        return { sentence: "The API did not accept the measurements.", apiSaid, requestId };
      case 429:
        return { sentence: `The API is getting too many requests. ${wait}`, apiSaid, requestId };
      case 500:
        return { sentence: "The API failed with an internal error. Try again; if it persists, report the request id.", apiSaid, requestId };
      case 502:
        return { sentence: "The model service did not give a usable answer. Try again later; if it persists, report the request id.", apiSaid, requestId };
      case 503:
        return { sentence: `The model is busy or not ready yet. ${wait}`, apiSaid, requestId };
      case 504:
        return { sentence: "The model did not answer in time. Try again, perhaps with fewer rows.", apiSaid, requestId };
      default:
        return { sentence: `The API answered with status ${error.status}.`, apiSaid, requestId };
    }
  }
  if (error instanceof NetworkError) {
    if (error.reason === "timeout") {
      return { sentence: `The API did not answer within ${DEFAULT_TIMEOUT_MS / 1000} seconds. Try again, perhaps with fewer rows.` };
    }
    if (error.reason === "blocked") {
      return {
        sentence:
          `The API at ${baseUrl} answered, but the browser did not let this page read the answer. Most likely ` +
          `the API does not allow this page's origin (${location.origin}) by CORS: add ${location.origin} to the ` +
          "API's allowed origins (ALLOWED_ORIGINS, or the stack's AllowedOrigins parameter), or open the page from an allowed origin.",
        settings: true,
      };
    }
    const mixed = location.protocol === "https:" && baseUrl.startsWith("http:");
    return {
      sentence: mixed
        ? `This page is served over HTTPS, and browsers block its requests to the plain-HTTP API at ${baseUrl}. Use the API's https:// URL.`
        : `Could not reach the API at ${baseUrl}. Check that it is running (make run starts it locally) and that the API base URL is right.`,
      settings: true,
    };
  }
  if (error instanceof TypeError) {
    return { sentence: error.message, settings: true };
  }
  return { sentence: `Something went wrong in this page: ${String(error)}` };
}

/**
 * @param {HTMLElement} box
 * @param {ReturnType<typeof describeError>} described
 * @param {Node[]} [extra]  shown between the API's message and the request id
 */
export function showError(box, { sentence, apiSaid, requestId, settings }, extra = []) {
  const parts = [
    h("p", { class: "error-sentence" }, sentence),
    apiSaid ? h("p", { class: "api-said" }, "The API said: ", h("q", {}, apiSaid)) : null,
    ...extra,
    requestId ? h("p", { class: "request-id" }, "Request id: ", h("code", {}, requestId)) : null,
    settings ? h("p", {}, h("button", { type: "button", class: "secondary link-button", "data-open-settings": true }, "Open the API settings")) : null,
  ];
  box.replaceChildren(.../** @type {Node[]} */ (parts.filter(Boolean)));
}

/** The alert stays in the page (so that screen readers announce what goes in), empty. @param {HTMLElement} box */
export function hideError(box) {
  box.replaceChildren();
}
