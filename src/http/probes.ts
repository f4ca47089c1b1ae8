/**
 * The OS connectivity probes (captive-clients.md table B2) and their genuine "online" answers. Used only
 * for the race fallback (E4): an *authorized* device whose probe still reaches the intercept listener on
 * a stale connection gets the real answer instead of a 302. Unauthorized devices always get the 302:
 * interception itself never depends on this list.
 */
export interface ProbeAnswer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const APPLE = '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>';
const FIREFOX = '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>';
const NO_CONTENT: ProbeAnswer = { status: 204, body: '' };

const PROBES: Record<string, Record<string, ProbeAnswer> | ProbeAnswer> = {
  'connectivitycheck.gstatic.com': { '/generate_204': NO_CONTENT },
  'connectivitycheck.android.com': { '/generate_204': NO_CONTENT },
  'clients3.google.com': { '/generate_204': NO_CONTENT },
  'www.google.com': { '/gen_204': NO_CONTENT, '/generate_204': NO_CONTENT },
  'play.googleapis.com': { '/generate_204': NO_CONTENT },
  'www.gstatic.com': { '/generate_204': NO_CONTENT },
  'connectivitycheck.grapheneos.network': { '/generate_204': NO_CONTENT },
  'connectivitycheck.platform.hicloud.com': { '/generate_204': NO_CONTENT },
  'edge-http.microsoft.com': { '/captiveportal/generate_204': NO_CONTENT },
  'captive.apple.com': { '*': { status: 200, body: APPLE, contentType: 'text/html' } },
  'www.apple.com': { '/library/test/success.html': { status: 200, body: APPLE, contentType: 'text/html' } },
  'www.msftconnecttest.com': { '/connecttest.txt': { status: 200, body: 'Microsoft Connect Test', contentType: 'text/plain' } },
  'ipv6.msftconnecttest.com': { '/connecttest.txt': { status: 200, body: 'Microsoft Connect Test', contentType: 'text/plain' } },
  'www.msftncsi.com': { '/ncsi.txt': { status: 200, body: 'Microsoft NCSI', contentType: 'text/plain' } },
  'detectportal.firefox.com': {
    '/canonical.html': { status: 200, body: FIREFOX, contentType: 'text/html' },
    '/success.txt': { status: 200, body: 'success\n', contentType: 'text/plain' },
  },
  'connectivity-check.ubuntu.com': { '*': { status: 204, body: '', headers: { 'X-NetworkManager-Status': 'online' } } },
  'nmcheck.gnome.org': { '/check_network_status.txt': { status: 200, body: 'NetworkManager is online\n', contentType: 'text/plain' } },
  'network-test.debian.org': { '/nm': { status: 200, body: 'NetworkManager is online\n', contentType: 'text/plain' } },
};

/** The genuine answer for a known probe URL, or undefined. */
export function probeAnswer(host: string, path: string): ProbeAnswer | undefined {
  const entry = PROBES[host.toLowerCase()];
  if (!entry) return undefined;
  const paths = entry as Record<string, ProbeAnswer>;
  return paths[path] ?? paths['*'];
}

export const PROBE_HOSTS = Object.keys(PROBES);
