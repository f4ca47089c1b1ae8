// @ts-check
/**
 * The one WebSocket reconnect loop, shared by the resident status page (portal.js), the network page
 * (network.js) and the operator console (admin/live.js): a socket on `/ws?topics=…` that is reopened
 * after a drop, 1 s after the first drop, doubling to at most 30 s, and back to 1 s once it opens again.
 * The pages stay usable without it (every figure is server-rendered, every action a form): a router
 * reboot must not make a hundred phones hammer it in step, hence the back-off.
 *
 * ES5 with no import/export, like the resident pages (old phones' browsers), so that it loads both ways:
 * portal.js and network.js add it as a classic <script>, the console imports it as a module for its side
 * effect. Either way it defines `window.porticoLiveSocket`.
 *
 * @typedef {import('../src/api/contract.js').WsMessage} WsMessage
 * @typedef {object} LiveHandlers
 * @property {(m: WsMessage) => void} message every message, parsed
 * @property {() => void} [open] the socket is open (again)
 * @property {(ev: CloseEvent) => boolean | void} [close] it dropped; return `false` to stop reconnecting
 * @typedef {(topics: string, on: LiveHandlers) => { close(): void }} LiveSocket
 *
 * @example
 *   var sock = window.porticoLiveSocket('network', { message: show, close: function (ev) { return ev.code !== 4401; } });
 *   sock.close(); // for good: no reconnect
 */
(function () {
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 30000;

  /** @type {LiveSocket} */
  var liveSocket = function (topics, on) {
    var backoff = RETRY_MIN_MS;
    var stopped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    var timer;
    /** @type {WebSocket | undefined} */
    var ws;
    function open() {
      var sock = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?topics=' + topics);
      ws = sock;
      sock.onopen = function () {
        backoff = RETRY_MIN_MS;
        if (on.open) on.open();
      };
      sock.onmessage = function (ev) { on.message(JSON.parse(String(ev.data))); };
      sock.onclose = function (ev) {
        if (stopped || ws !== sock) return;
        if (on.close && on.close(ev) === false) {
          stopped = true;
          return;
        }
        timer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      };
    }
    open();
    return {
      close: function () {
        stopped = true;
        clearTimeout(timer);
        if (ws) ws.close();
      },
    };
  };
  /** @type {any} */ (window).porticoLiveSocket = liveSocket;
})();
