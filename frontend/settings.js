// The API settings: base URL and key, from a link, this browser's storage or the defaults; the
// share link; and the check that the base URL is usable before a request goes out.
//
// A key belongs to one API origin. Requests take the key for the origin of the base URL they go
// to, and the key field shows that key, so changing the base URL (by hand or by a link) never
// carries a key to another origin. A link naming another API than the saved one is used only
// after the person says so; a key in a link is taken out of the address bar as soon as it is read.

import { apiUrl } from "./client.js";
import { byId, h } from "./dom.js";
import { browserStorage, originOf, SavedSettings } from "./saved-settings.js";

const DEFAULT_BASE_URL = "http://127.0.0.1:3000";

const saved = new SavedSettings(browserStorage());
/** Keys for this visit by API origin, over the saved ones: typed in, or given by a link. @type {Map<string, string>} */
const keysThisVisit = new Map();

const settingsForm = /** @type {HTMLFormElement} */ (byId("settings-form"));
const baseUrlInput = /** @type {HTMLInputElement} */ (byId("api-base-url"));
const apiKeyInput = /** @type {HTMLInputElement} */ (byId("api-key"));
const shareLink = /** @type {HTMLInputElement} */ (byId("share-link"));
const shareIncludeKey = /** @type {HTMLInputElement} */ (byId("share-include-key"));
const linkQuestion = byId("link-question");

/** @param {string} text */
const say = (text) => {
  byId("settings-status").textContent = text;
};

/** The key this visit has for a base URL's origin (typed, from a link, or saved), or "". @param {string} baseUrl */
function keyFor(baseUrl) {
  const origin = originOf(baseUrl);
  if (origin === null) return "";
  return keysThisVisit.get(origin) ?? saved.keyFor(origin) ?? "";
}

/** What the next request uses: the base URL as it is now, saved or not, and the key for its origin. */
export function currentSettings() {
  const baseUrl = baseUrlInput.value.trim();
  return { baseUrl, apiKey: keyFor(baseUrl).trim() };
}

/** The key field follows the base URL: it shows the key for the base URL's origin. */
function showKeyForBaseUrl() {
  const baseUrl = baseUrlInput.value.trim();
  apiKeyInput.value = keyFor(baseUrl);
  byId("api-key-origin").textContent = originOf(baseUrl) ?? "the API base URL's origin";
  refreshSettingsView();
}

/** @param {string} baseUrl */
function showBaseUrl(baseUrl) {
  baseUrlInput.value = baseUrl;
  showKeyForBaseUrl();
}

function rememberTypedKey() {
  const origin = originOf(baseUrlInput.value.trim());
  if (origin !== null) keysThisVisit.set(origin, apiKeyInput.value);
  refreshSettingsView();
}

function refreshSettingsView() {
  const { baseUrl, apiKey } = currentSettings();
  byId("settings-summary").textContent = (baseUrl || "(none)") + (apiKey ? " · with API key" : "");
  const url = new URL(location.pathname, location.origin);
  if (baseUrl) url.searchParams.set("api", baseUrl);
  if (apiKey && shareIncludeKey.checked) url.searchParams.set("key", apiKey);
  shareLink.value = url.href;
}

/** @returns {string|null} an error message, or null when the base URL is usable */
export function checkBaseUrl() {
  const error = byId("api-base-url-error");
  try {
    apiUrl(currentSettings().baseUrl, "/predict");
    error.hidden = true;
    baseUrlInput.removeAttribute("aria-invalid");
    return null;
  } catch (problem) {
    error.textContent = /** @type {Error} */ (problem).message;
    error.hidden = false;
    baseUrlInput.setAttribute("aria-invalid", "true");
    return error.textContent;
  }
}

export function openSettings() {
  /** @type {HTMLDetailsElement} */ (byId("settings")).open = true;
  baseUrlInput.focus();
}

/** @typedef {{api: string|null, key: string|null}} Link  ?api=…&key=… as the page was opened */

/** Reads the link's settings; a key is taken out of the address bar (and so out of history) at once. */
function readLink() {
  const query = new URLSearchParams(location.search);
  /** @type {Link} */
  const link = { api: query.get("api")?.trim() || null, key: query.get("key") };
  if (link.key !== null) {
    query.delete("key");
    const search = query.toString();
    history.replaceState(history.state, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
  }
  return link;
}

/** @param {Link} link */
function useLink({ api, key }) {
  const baseUrl = api || saved.baseUrl || DEFAULT_BASE_URL;
  const origin = originOf(baseUrl);
  if (key !== null && origin !== null) keysThisVisit.set(origin, key);
  showBaseUrl(baseUrl);
  say("Using the API settings from the link; save them to keep them.");
}

/** @param {string} a @param {string} b */
const sameApi = (a, b) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/**
 * The link names another API than the saved settings: keep the saved ones until the person chooses.
 * @param {Link} link
 * @param {string} savedBaseUrl
 */
function askAboutLink(link, savedBaseUrl) {
  showBaseUrl(savedBaseUrl);
  const linkApi = /** @type {string} */ (link.api);
  const [linkOrigin, savedOrigin] = [originOf(linkApi), originOf(savedBaseUrl)];
  const keyStaysHome = saved.keyFor(savedBaseUrl) !== null && linkOrigin !== savedOrigin;
  byId("link-question-text").replaceChildren(
    "This link points the page at ",
    h("code", {}, linkApi),
    "; your saved settings use ",
    h("code", {}, savedBaseUrl),
    ". ",
    keyStaysHome ? `The API key saved for ${savedOrigin} is not sent to ${linkOrigin ?? "the link's API"}. ` : "",
    "Until you choose, the page uses your saved settings.",
  );
  linkQuestion.hidden = false;
  /** @param {() => void} choice */
  const answer = (choice) => () => {
    choice();
    linkQuestion.hidden = true;
    /** @type {HTMLElement} */ (document.querySelector("#settings summary")).focus();
  };
  byId("use-link-api").addEventListener("click", answer(() => useLink(link)));
  byId("keep-saved-api").addEventListener("click", answer(() => say("Kept your saved settings.")));
}

export function setUpSettings() {
  const link = readLink();
  const savedBaseUrl = saved.baseUrl;
  if (link.api && savedBaseUrl && !sameApi(link.api, savedBaseUrl)) askAboutLink(link, savedBaseUrl);
  else if (link.api || link.key !== null) useLink(link);
  else showBaseUrl(savedBaseUrl || DEFAULT_BASE_URL);

  baseUrlInput.addEventListener("input", showKeyForBaseUrl);
  apiKeyInput.addEventListener("input", rememberTypedKey);
  shareIncludeKey.addEventListener("input", refreshSettingsView);
  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (checkBaseUrl()) return baseUrlInput.focus();
    const { baseUrl, apiKey } = currentSettings();
    say(
      saved.save(baseUrl, apiKey)
        ? "Saved in this browser."
        : "This browser does not allow saving; the settings last until the page is closed.",
    );
  });
  byId("forget-settings").addEventListener("click", () => {
    saved.forget();
    keysThisVisit.clear();
    showBaseUrl(DEFAULT_BASE_URL);
    checkBaseUrl();
    say(`Forgotten; back to ${DEFAULT_BASE_URL} without a key.`);
  });
  byId("copy-share-link").addEventListener("click", async () => {
    const status = byId("share-status");
    try {
      await navigator.clipboard.writeText(shareLink.value);
      status.textContent = shareIncludeKey.checked
        ? "Link copied. It contains the API key: share it only with people who may use it."
        : "Link copied.";
    } catch {
      shareLink.select();
      status.textContent = "Copying is not allowed here; the link is selected, press Ctrl+C (or ⌘C) to copy it.";
    }
  });
}
