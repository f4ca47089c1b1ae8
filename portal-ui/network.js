// @ts-check
/**
 * Public network status page, live over the `network` WebSocket topic (totals only).
 *
 * @typedef {import('../src/api/contract.js').WsMessage} WsMessage
 * @typedef {import('../src/api/contract.js').NetworkState} NetworkState
 */
(function () {
  var root = document.querySelector('[data-network]');
  if (!(root instanceof HTMLElement)) return;
  var box = root;
  var dec = box.dataset.dec || '.';
  /** @param {number} n same as formatBytes/formatRate + localNumber (src/domain/units.ts, plan-words.ts) */
  function trim(n) { return (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, '')).replace('.', dec); }
  /** @param {number} b */
  function bytes(b) { return b >= 1e9 ? trim(b / 1e9) + ' GB' : b >= 1e6 ? trim(b / 1e6) + ' MB' : b >= 1e3 ? trim(b / 1e3) + ' kB' : b + ' B'; }
  /** @param {number} r */
  function rate(r) { return r >= 1e6 ? trim(r / 1e6) + ' Mbit/s' : trim(r / 1e3) + ' kbit/s'; }
  /** @param {string} id @param {string} text */
  function set(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }

  /** @param {NetworkState} s */
  function apply(s) {
    set('devices', String(s.devicesOnline));
    set('rate', rate(s.downBps) + ' ↓ · ' + rate(s.upBps) + ' ↑');
    set('today', bytes(s.todayBytes));
    set('gateway', s.gateway.ok ? box.dataset.ok || 'OK' : box.dataset.bad || 'down');
    var g = document.getElementById('gateway');
    if (g) g.className = 'big ' + (s.gateway.ok ? 'ok' : 'bad');
  }

  function connect() {
    var dot = document.getElementById('live');
    // The reconnect loop is shared with portal.js and the console: live-socket.js, added as a script.
    var script = document.createElement('script');
    script.src = '/ui/live-socket.js';
    script.onload = function () {
      /** @type {import('./live-socket.js').LiveSocket} */
      var liveSocket = /** @type {any} */ (window).porticoLiveSocket;
      liveSocket('network', {
        open: function () { if (dot) dot.hidden = false; },
        message: function (msg) { if (msg.topic === 'network') apply(msg.payload); },
        close: function () { if (dot) dot.hidden = true; },
      });
    };
    document.head.appendChild(script);
  }
  if ('WebSocket' in window) connect();

  // The 24-hour chart gains a bucket every 5 minutes: fetch the server's markup for it (history-chart.ts).
  var history = document.getElementById('history');
  if (history && 'fetch' in window) {
    var chart = history;
    setInterval(function () {
      fetch('/network/history?lang=' + encodeURIComponent(chart.dataset.lang || 'en'), { cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { chart.innerHTML = html; })
        .catch(function () { /* keep the last chart */ });
    }, Number(chart.dataset.every) || 300000);
  }
})();
