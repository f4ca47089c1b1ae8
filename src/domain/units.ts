/**
 * Parsing and printing of the units operators type: durations (`90m`, `1h`, `2d`, `4w`), byte sizes
 * (`500MB`, `2GB`, `1.5GiB`; MB/GB are decimal like ISPs and phones show them, MiB/GiB binary) and rates
 * (`4Mbit`, `512kbit`, `10M`; bits per second, as MikroTik and tc write them).
 *
 * @example
 *   parseDuration('2d');   // 172800 (seconds)
 *   parseBytes('500MB');   // 500000000
 *   parseRate('4Mbit');    // 4000000 (bits per second)
 */
const DURATION: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const BYTES: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};
const RATE: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a duration (use e.g. 90m, 1h, 2d, 4w)`);
  const seconds = Math.round(Number(m[1]) * DURATION[m[2]!.toLowerCase()]!);
  if (seconds <= 0 || seconds > 10 * 365 * 86400) throw new RangeError(`duration "${text}" is out of range`);
  return seconds;
}

export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a size (use e.g. 500MB, 2GB, 1GiB)`);
  const bytes = Math.round(Number(m[1]) * BYTES[m[2]!.toLowerCase()]!);
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new RangeError(`size "${text}" is out of range`);
  return bytes;
}

export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:bit|bps|b)?(?:\/s)?\s*$/i.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a rate (use e.g. 512kbit, 4Mbit)`);
  const bps = Math.round(Number(m[1]) * RATE[m[2]!.toLowerCase()]!);
  if (bps < 8000 || bps > 100e9) throw new RangeError(`rate "${text}" is out of range (8kbit to 100Gbit)`);
  return bps;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${trim(bytes / 1e9)} GB`;
  if (bytes >= 1e6) return `${trim(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${trim(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

export function formatRate(bps: number): string {
  if (bps >= 1e6) return `${trim(bps / 1e6)} Mbit/s`;
  return `${trim(bps / 1e3)} kbit/s`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, '');
}
