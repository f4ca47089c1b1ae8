// @ts-check
/**
 * The console's live socket: at most one at a time, on the `operator/*` topics the current view wants.
 * A new view closes the previous view's socket; a 4401 close (the session ended) signs the console out
 * instead of reconnecting. The reconnect loop itself is the shared one in ../live-socket.js, a classic
 * script imported here for its side effect: it defines `window.porticoLiveSocket`.
 *
 * @typedef {import('../../src/api/contract.js').WsMessage} WsMessage
 *
 * @example
 *   live('operator/sessions,operator/events', (m) => show(m));
 */
import '../live-socket.js';
import { endSession } from './api.js';

/** @type {import('../live-socket.js').LiveSocket} */
const liveSocket = /** @type {any} */ (window).porticoLiveSocket;

/** @type {typeof import('../../src/api/contract.js').WS_CLOSE} */
const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, tooSlow: 4408, badRequest: 4400 };

/** @type {{ close(): void } | null} */
let current = null;

/** @param {string} topics @param {(m: WsMessage) => void} onMessage */
export function live(topics, onMessage) {
  closeLive();
  const sock = liveSocket(topics, {
    message: onMessage,
    close: (ev) => {
      if (ev.code !== WS_CLOSE.unauthenticated) return true;
      if (current === sock) current = null;
      endSession();
      return false;
    },
  });
  current = sock;
}

export function closeLive() {
  const sock = current;
  current = null;
  sock?.close();
}
