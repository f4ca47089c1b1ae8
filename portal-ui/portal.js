// @ts-check
/**
 * Resident status page, live: subscribes to the `device` WebSocket topic and updates the remaining
 * time (ticking every second between updates), data, speed and devices. The page works fully without
 * this script (every action is a form); this only makes it live. Classic script, no dependencies.
 *
 * @typedef {import('../src/api/contract.js').WsMessage} WsMessage
 * @typedef {import('../src/api/contract.js').SessionState} SessionState
 * @typedef {import('../src/api/contract.js').DeviceSummary} DeviceSummary
 */
(function () {
  var live = document.querySelector('[data-live]');
  if (!(live instanceof HTMLElement)) return;
  var box = live;
  /** @param {string} id */
  var $ = function (id) { return document.getElementById(id); };
  /** @param {string | undefined} s */
  var num = function (s) { return s === undefined || s === '' ? null : Number(s); };
  var seconds = num(box.dataset.seconds);
  var since = Date.now();
  var unlimited = box.dataset.unlimited || '∞';
  var dec = box.dataset.dec || '.';

  /** @param {number} n same as formatBytes/formatRate + localNumber (src/domain/units.ts, plan-words.ts) */
  function trim(n) { return (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, '')).replace('.', dec); }
  /** @param {number} b */
  function bytes(b) { return b >= 1e9 ? trim(b / 1e9) + ' GB' : b >= 1e6 ? trim(b / 1e6) + ' MB' : b >= 1e3 ? trim(b / 1e3) + ' kB' : b + ' B'; }
  /** @param {number} r */
  function rate(r) { return r >= 1e6 ? trim(r / 1e6) + ' Mbit/s' : trim(r / 1e3) + ' kbit/s'; }
  /** @param {number} s same format as formatDuration in src/http/pages.ts */
  function dur(s) {
    s = Math.max(0, Math.floor(s));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return d > 0 ? d + 'd ' + h + 'h ' + m + 'm' : h > 0 ? h + 'h ' + m + 'm ' + (s % 60) + 's' : m + 'm ' + (s % 60) + 's';
  }
  /** @param {string} id @param {string} text */
  function set(id, text) { var el = $(id); if (el && el.textContent !== text) el.textContent = text; }

  function tick() {
    if (seconds === null) return;
    set('time', dur(seconds - (Date.now() - since) / 1000));
  }

  /**
   * The end time, in the network's zone and named, as localTime in src/http/pages.ts renders it; only when
   * it moved (a code added from another device).
   * @param {number | null} at
   */
  function until(at) {
    var el = $('until');
    if (!el || at === null || el.getAttribute('datetime') === new Date(at).toISOString()) return;
    var tz = el.dataset.tz || 'UTC';
    try {
      el.textContent = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(at) + ' (' + tz.replace(/_/g, ' ') + ')';
      el.setAttribute('datetime', new Date(at).toISOString());
    } catch (e) { /* keep the server's text */ }
  }

  /** @param {DeviceSummary[]} devices */
  function renderDevices(devices) {
    var list = $('devices');
    if (!list) return;
    var removeText = list.dataset.remove || 'Remove', thisText = list.dataset.this || 'this device';
    var items = devices.map(function (d) {
      var li = document.createElement('li');
      var name = document.createElement('span');
      // Same as deviceName in src/http/pages.ts: the host name with the MAC digits, or the digits.
      name.textContent = d.name || d.label;
      if (d.name) {
        var digits = document.createElement('span');
        digits.className = 'muted';
        digits.textContent = ' · ' + d.label;
        name.appendChild(digits);
      }
      if (d.isCaller) {
        var me = document.createElement('span');
        me.className = 'muted';
        me.textContent = ' (' + thisText + ')';
        name.appendChild(me);
      }
      li.appendChild(name);
      if (!d.isCaller) {
        var form = document.createElement('form');
        form.method = 'post';
        form.action = '/logout';
        var input = document.createElement('input');
        input.type = 'hidden'; input.name = 'device'; input.value = d.id;
        var button = document.createElement('button');
        button.className = 'alt small'; button.textContent = removeText;
        form.appendChild(input); form.appendChild(button);
        li.appendChild(form);
      }
      return li;
    });
    list.replaceChildren.apply(list, items);
  }

  // Once the resident submits a form (logout, remove, top-up) that navigation wins: the socket's news of
  // the same change must not race it with a navigation of its own.
  var leaving = false;
  document.addEventListener('submit', function () { leaving = true; });

  /** @param {SessionState} s */
  function apply(s) {
    if (!s.authorized) { if (!leaving) location.replace('/'); return; }
    seconds = s.secondsRemaining;
    since = Date.now();
    if (seconds === null) set('time', unlimited); else tick();
    set('data', s.bytesRemaining === null ? unlimited : bytes(Math.max(0, s.bytesRemaining)));
    var bar = $('bar');
    if (bar && s.dataTotal) bar.style.width = Math.min(100, Math.round((Math.max(0, s.bytesRemaining || 0) / s.dataTotal) * 100)) + '%';
    set('rate', rate(s.downBps) + ' ↓ · ' + rate(s.upBps) + ' ↑');
    set('plan', s.plan.words);
    set('hhcode', s.code);
    until(s.expiresAt);
    var thr = $('throttled');
    if (thr) thr.hidden = !s.throttled;
    var list = $('devices');
    var ids = s.devices.map(function (d) { return d.id + ' ' + (d.name || ''); }).join();
    if (list && list.dataset.ids !== ids) { list.dataset.ids = ids; renderDevices(s.devices); }
  }

  function connect() {
    var dot = $('live');
    // The reconnect loop is shared with network.js and the console: live-socket.js, added as a script.
    var script = document.createElement('script');
    script.src = '/ui/live-socket.js';
    script.onload = function () {
      /** @type {import('./live-socket.js').LiveSocket} */
      var liveSocket = /** @type {any} */ (window).porticoLiveSocket;
      liveSocket('device', {
        open: function () { if (dot) dot.hidden = false; },
        message: function (msg) { if (msg.topic === 'device') apply(msg.payload); },
        close: function () { if (dot) dot.hidden = true; },
      });
    };
    document.head.appendChild(script);
  }
  setInterval(tick, 1000);
  if ('WebSocket' in window) connect();
})();
