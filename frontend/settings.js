// The API settings: base URL and key, from the link, this browser's storage or the defaults; the
// share link; and the check that the base URL is usable before a request goes out.

import { apiUrl } from "./client.js";
import { byId } from "./dom.js";

const DEFAULT_BASE_URL = "http://127.0.0.1:3000";
const STORAGE_KEYS = { baseUrl: "iris-gateway.apiBaseUrl", apiKey: "iris-gateway.apiKey" };

const settingsForm = /** @type {HTMLFormElement} */ (byId("settings-form"));
const baseUrlInput = /** @type {HTMLInputElement} */ (byId("api-base-url"));
const apiKeyInput = /** @type {HTMLInputElement} */ (byId("api-key"));
const shareLink = /** @type {HTMLInputElement} */ (byId("share-link"));
const shareIncludeKey = /** @type {HTMLInputElement} */ (byId("share-include-key"));

/** @param {string} key */
function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: settings last as long as the page
  }
}

/** @param {string} key @param {string|null} value */
function store(key, value) {
  try {
    if (value === null || value === "") localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Query parameters (?api=…&key=…) override what is stored, which overrides the default. */
function initialSettings() {
  const query = new URLSearchParams(location.search);
  return {
    baseUrl: query.get("api") || stored(STORAGE_KEYS.baseUrl) || DEFAULT_BASE_URL,
    apiKey: query.get("key") ?? stored(STORAGE_KEYS.apiKey) ?? "",
    fromLink: query.has("api") || query.has("key"),
  };
}

/** What the next request uses: the fields as they are now, saved or not. */
export function currentSettings() {
  return { baseUrl: baseUrlInput.value.trim(), apiKey: apiKeyInput.value.trim() };
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

export function setUpSettings() {
  const initial = initialSettings();
  baseUrlInput.value = initial.baseUrl;
  apiKeyInput.value = initial.apiKey;
  if (initial.fromLink) {
    byId("settings-status").textContent = "Using the API settings from the link; save them to keep them.";
  }
  refreshSettingsView();
  for (const input of [baseUrlInput, apiKeyInput, shareIncludeKey]) {
    input.addEventListener("input", refreshSettingsView);
  }
  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (checkBaseUrl()) return baseUrlInput.focus();
    const { baseUrl, apiKey } = currentSettings();
    const saved = store(STORAGE_KEYS.baseUrl, baseUrl) && store(STORAGE_KEYS.apiKey, apiKey);
    byId("settings-status").textContent = saved
      ? "Saved in this browser."
      : "This browser does not allow saving; the settings last until the page is closed.";
  });
  byId("forget-settings").addEventListener("click", () => {
    store(STORAGE_KEYS.baseUrl, null);
    store(STORAGE_KEYS.apiKey, null);
    baseUrlInput.value = DEFAULT_BASE_URL;
    apiKeyInput.value = "";
    checkBaseUrl();
    refreshSettingsView();
    byId("settings-status").textContent = `Forgotten; back to ${DEFAULT_BASE_URL} without a key.`;
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
