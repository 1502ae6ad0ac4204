// Sends a batch's parts with a small bounded concurrency, with no DOM: each part once, the next
// as soon as one finishes, none after the signal aborts. A part that fails is reported and the
// others go on. Also run under Node.

/** Parts in flight at once: enough to overlap the network with the model, few enough to be polite. */
export const CONCURRENCY = 3;

/**
 * @template {{index: number}} P
 * @param {P[]} parts
 * @param {object} options
 * @param {(part: P, signal: AbortSignal) => Promise<void>} options.send  sends one part and keeps its answer
 * @param {AbortSignal} options.signal  abort: the parts in flight are aborted, no more are sent
 * @param {(part: P) => void|Promise<void>} [options.onDone]  awaited before the lane takes the next part
 * @param {(part: P, error: unknown) => void|Promise<void>} [options.onFail]  the same; not called for parts the signal aborted
 * @param {number} [options.concurrency]
 * @returns {Promise<{done: P[], failed: P[], notSent: P[]}>}  notSent: aborted in flight or never started
 */
export async function sendParts(parts, { send, signal, onDone, onFail, concurrency = CONCURRENCY }) {
  const queue = [...parts];
  /** @type {{done: P[], failed: P[], notSent: P[]}} */
  const outcome = { done: [], failed: [], notSent: [] };
  async function lane() {
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      if (signal.aborted) {
        outcome.notSent.push(part);
        continue;
      }
      try {
        await send(part, signal);
        outcome.done.push(part);
        await onDone?.(part);
      } catch (error) {
        if (signal.aborted) {
          outcome.notSent.push(part);
        } else {
          outcome.failed.push(part);
          await onFail?.(part, error);
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, parts.length)) }, lane));
  for (const list of Object.values(outcome)) list.sort((a, b) => a.index - b.index);
  return outcome;
}

/**
 * "about 12 s left", from how long the rows so far took; "" before there is anything to go by.
 * @param {number} done @param {number} total @param {number} elapsedMs
 */
export function timeLeft(done, total, elapsedMs) {
  if (done <= 0 || done >= total) return "";
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  return seconds < 60 ? `about ${seconds} s left` : `about ${Math.ceil(seconds / 60)} min left`;
}
