/**
 * What a bench module needs from the machine, checked before it builds anything: root (network
 * namespaces) and programs on PATH. A missing one throws one sentence, which `npm run bench` prints as
 * the module's skip line ("skipped nftables: needs nft …"), instead of a crash half-way through
 * (issue 16: a missing `nft` used to end the whole run with an unhandled EPIPE).
 *
 * @example
 *   await requireEnvironment({ root: true, tools: ['ip', 'nft', 'conntrack'] });
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** The full path of `tool` on PATH, or null. */
export async function onPath(tool: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, tool);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return null;
}

export async function requireEnvironment(need: { root?: boolean; tools?: string[] }): Promise<void> {
  const missing: string[] = [];
  for (const tool of need.tools ?? []) if (!(await onPath(tool))) missing.push(tool);
  const notRoot = need.root === true && process.getuid?.() !== 0;
  if (missing.length === 0 && !notRoot) return;
  const parts = [
    ...(missing.length ? [`needs ${missing.join(', ')} on PATH (not found)`] : []),
    ...(notRoot ? ['needs root (it builds network namespaces)'] : []),
  ];
  throw new Error(parts.join('; '));
}
