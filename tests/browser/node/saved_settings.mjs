import { SavedSettings, originOf } from "FRONTEND/saved-settings.js";
import assert from "node:assert/strict";

/** localStorage's interface over a Map, and what it holds. */
function memoryStorage(entries = {}) {
  const items = new Map(Object.entries(entries));
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k) };
}

assert.equal(originOf("https://abc.execute-api.eu-west-1.amazonaws.com/Prod/"), "https://abc.execute-api.eu-west-1.amazonaws.com");
assert.equal(originOf("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
for (const none of ["127.0.0.1:3000", "localhost:3000", "javascript:alert(1)", "", "ftp://x.example"]) assert.equal(originOf(none), null, none);

// A key is saved under its API's origin and found only by that origin.
const storage = memoryStorage();
const saved = new SavedSettings(storage);
assert.equal(saved.save("https://a.example/Prod", "key-a"), true);
assert.equal(saved.baseUrl, "https://a.example/Prod");
assert.equal(saved.keyFor("https://a.example/Staging"), "key-a");
assert.equal(saved.keyFor("https://a.example"), "key-a");
for (const other of ["https://b.example/Prod", "http://a.example/Prod", "https://a.example:8443/Prod", "https://a.example.evil.example/", "not a url"]) {
  assert.equal(saved.keyFor(other), null, other);
}
// Saving another API keeps the first one's key; an empty key removes only that origin's.
saved.save("https://b.example/Prod", "key-b");
assert.equal(saved.baseUrl, "https://b.example/Prod");
assert.deepEqual([saved.keyFor("https://a.example"), saved.keyFor("https://b.example")], ["key-a", "key-b"]);
saved.save("https://a.example/Prod", "");
assert.deepEqual([saved.keyFor("https://a.example"), saved.keyFor("https://b.example")], [null, "key-b"]);
assert.equal(new SavedSettings(storage).keyFor("https://b.example"), "key-b"); // it is in the storage
saved.forget();
assert.equal(storage.items.size, 0);

// An earlier page's single key moves under the origin of the base URL saved with it.
const earlier = memoryStorage({ "iris-gateway.apiBaseUrl": "https://a.example/Prod", "iris-gateway.apiKey": "old-key" });
const adopted = new SavedSettings(earlier);
assert.equal(adopted.keyFor("https://a.example"), "old-key");
assert.equal(adopted.keyFor("https://b.example"), null);
assert.equal(earlier.items.has("iris-gateway.apiKey"), false);
const orphan = memoryStorage({ "iris-gateway.apiKey": "old-key" }); // no base URL: nobody to give it to
new SavedSettings(orphan);
assert.equal(orphan.items.size, 0);

// Unreadable or unavailable storage: nothing saved, nothing found, nothing thrown.
assert.equal(new SavedSettings(memoryStorage({ "iris-gateway.apiKeys": "{not json" })).keyFor("https://a.example"), null);
assert.equal(new SavedSettings(memoryStorage({ "iris-gateway.apiKeys": '["x"]' })).keyFor("https://a.example"), null);
const none = new SavedSettings(null);
assert.equal(none.save("https://a.example", "k"), false);
assert.equal(none.baseUrl, null);
const throwing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); }, removeItem() { throw new Error("denied"); } };
assert.equal(new SavedSettings(throwing).save("https://a.example", "k"), false);
console.log("all saved-settings checks passed");
