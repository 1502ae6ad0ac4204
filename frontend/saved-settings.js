// What this browser keeps of the API settings: the base URL last saved, and API keys, each under
// the API origin (scheme, host and port) it was saved for. A key is only ever looked up by the
// origin a request is about to go to, so a link naming another API cannot pick up a saved key.
// No DOM here: the storage is passed in (localStorage in the page, a stand-in under Node).

const STORAGE_KEYS = {
  baseUrl: "iris-gateway.apiBaseUrl",
  apiKeys: "iris-gateway.apiKeys", // JSON: {origin: key}
  unscopedApiKey: "iris-gateway.apiKey", // earlier pages kept one key for whatever API was set
};

/**
 * The origin of an http(s) base URL, or null when it has none (unparseable, or another scheme).
 * @param {string} baseUrl
 */
export function originOf(baseUrl) {
  try {
    const url = new URL(baseUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** The page's localStorage, or null where the browser disallows it. */
export function browserStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export class SavedSettings {
  /** @param {Pick<Storage, "getItem"|"setItem"|"removeItem">|null} storage */
  constructor(storage) {
    this.storage = storage;
    this.#adoptUnscopedKey();
  }

  /** The base URL last saved, or null. */
  get baseUrl() {
    return this.#read(STORAGE_KEYS.baseUrl);
  }

  /**
   * The key saved for this URL's origin, or null.
   * @param {string} url  a base URL or an origin
   */
  keyFor(url) {
    const origin = originOf(url);
    return origin === null ? null : (this.#keys()[origin] ?? null);
  }

  /**
   * Saves the base URL, and the key under its origin (an empty key removes that origin's).
   * Keys saved for other origins stay. False when the browser does not allow saving.
   * @param {string} baseUrl
   * @param {string} apiKey
   */
  save(baseUrl, apiKey) {
    const origin = originOf(baseUrl);
    const keys = this.#keys();
    if (origin !== null) {
      if (apiKey) keys[origin] = apiKey;
      else delete keys[origin];
    }
    return this.#write(STORAGE_KEYS.baseUrl, baseUrl) && this.#write(STORAGE_KEYS.apiKeys, JSON.stringify(keys));
  }

  /** Forgets the base URL and every saved key. */
  forget() {
    for (const key of Object.values(STORAGE_KEYS)) this.#write(key, null);
  }

  /** A key saved by an earlier page belongs to the base URL saved with it: move it under its origin. */
  #adoptUnscopedKey() {
    const key = this.#read(STORAGE_KEYS.unscopedApiKey);
    if (key === null) return;
    const baseUrl = this.baseUrl;
    if (baseUrl !== null && originOf(baseUrl) !== null) this.save(baseUrl, key);
    this.#write(STORAGE_KEYS.unscopedApiKey, null);
  }

  /** @returns {Record<string, string>} */
  #keys() {
    try {
      const keys = JSON.parse(this.#read(STORAGE_KEYS.apiKeys) ?? "{}");
      return keys !== null && typeof keys === "object" && !Array.isArray(keys) ? keys : {};
    } catch {
      return {}; // unreadable: as if nothing were saved
    }
  }

  /** @param {string} key */
  #read(key) {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  /** @param {string} key @param {string|null} value */
  #write(key, value) {
    if (!this.storage) return false;
    try {
      if (value === null || value === "") this.storage.removeItem(key);
      else this.storage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }
}
