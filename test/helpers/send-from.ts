/**
 * One HTTP request from a given loopback source address (each address is a "device" to Portico), on a
 * fresh connection, that never rejects: a refused, reset or timed-out request is status 0, which is
 * what the kill -9 and fault tests count as "not acknowledged".
 *
 * @example
 *   const r = await sendFrom(server.url, 'POST', '/login', '127.50.0.2', 'code=K7QM4XPA9TR');
 */
import { request } from 'node:http';

export function sendFrom(
  url: string,
  method: string,
  path: string,
  from: string,
  body?: string,
  opts: { host?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(path, url);
  return new Promise((ok) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method, localAddress: from, agent: false, timeout: opts.timeoutMs ?? 5000,
        headers: { accept: 'application/json', ...(opts.host ? { host: opts.host } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: b }));
      },
    );
    req.on('error', () => ok({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}
