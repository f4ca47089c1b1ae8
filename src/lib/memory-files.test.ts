import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileReader } from './memory-files.js';

const readers: Array<ReturnType<typeof memoryFileReader>> = [];
const reader = () => {
  const r = memoryFileReader();
  readers.push(r);
  return r;
};
afterEach(() => readers.splice(0).forEach((r) => r.close()));

describe('memoryFileReader', () => {
  it('reads a /proc file through one descriptor and still sees what changed since', async () => {
    const read = reader();
    // /proc/net/tcp lists listening sockets: a new one must show in the next read of the same descriptor.
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
    expect(read('/proc/net/tcp')).not.toContain(hex);
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    try {
      expect(read('/proc/net/tcp')).toContain(hex);
    } finally {
      server.close();
    }
  });

  it('reads a file longer than its buffer whole, again and again', () => {
    const read = memoryFileReader({ bufferBytes: 16 });
    readers.push(read);
    const whole = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(whole.length).toBeGreaterThan(64);
    for (let i = 0; i < 3; i++) expect(read('/proc/self/mountinfo')).toBe(whole);
  });

  it('answers "" for a file that is not there, and follows one replaced by a rename', () => {
    const read = reader();
    const dir = mkdtempSync(join(tmpdir(), 'portico-memfiles-'));
    try {
      const leases = join(dir, 'dhcp.leases');
      expect(read(leases)).toBe('');
      writeFileSync(leases, 'one\n');
      expect(read(leases)).toBe('one\n');
      writeFileSync(join(dir, 'new'), 'two\n');
      renameSync(join(dir, 'new'), leases);
      expect(read(leases)).toBe('two\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
