// @ts-check
/**
 * The one WebSocket reconnect loop, shared by the resident status page (portal.js), the network page
 * (network.js) and the operator console (admin/live.js): a socket on `/ws?topics=…` that is reopened
 * after a drop, 1 s after the first drop, doubling to at most 30 s, and back to 1 s once it opens again.
 * The pages stay usable without it (every figure is server-rendered, every action a form): a router
 * reboot must not make a hundred phones hammer it in step, hence the backoff.
 *
 * An ES module; the two classic pages load it with `import('./live-socket.js')` so their HTML (and their
 * no-JavaScript behaviour) stays as it is.
 *
 * @typedef {import('../src/api/contract.js').WsMessage} WsMessage
 *
 * @example
 *   const sock = liveSocket('network', { message: (m) => show(m), close: (ev) => ev.code !== 4401 });
 *   sock.close(); // for good: no reconnect
 */

export const RETRY_MIN_MS = 1000;
export const RETRY_MAX_MS = 30000;

/**
 * @typedef {object} LiveHandlers
 * @property {(m: WsMessage) => void} message every message, parsed
 * @property {() => void} [open] the socket is open (again)
 * @property {(ev: CloseEvent) => boolean | void} [close] it dropped; return `false` to stop reconnecting
 */

/**
 * @param {string} topics comma-separated topic names
 * @param {LiveHandlers} on
 * @returns {{ close(): void }}
 */
export function liveSocket(topics, on) {
  let backoff = RETRY_MIN_MS;
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {WebSocket | undefined} */
  let ws;
  const open = () => {
    const sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?topics=${topics}`);
    ws = sock;
    sock.onopen = () => {
      backoff = RETRY_MIN_MS;
      on.open?.();
    };
    sock.onmessage = (ev) => on.message(JSON.parse(String(ev.data)));
    sock.onclose = (ev) => {
      if (stopped || ws !== sock) return;
      if (on.close?.(ev) === false) {
        stopped = true;
        return;
      }
      timer = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, RETRY_MAX_MS);
    };
  };
  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    },
  };
}
