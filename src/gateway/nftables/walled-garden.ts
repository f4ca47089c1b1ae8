/**
 * The walled garden as the operator console sets it (GatewayDriver.setWalledGarden): addresses and
 * CIDRs go to the `garden4`/`garden6` sets as they are, host names are resolved here (the kernel only
 * matches addresses) and re-resolved every `refreshMs`, because CDN-hosted payment pages move. A name
 * that does not resolve within `timeoutMs` is logged and skipped; on a refresh it keeps the addresses it
 * had, so a DNS hiccup does not close the garden. Replacing the list is one atomic batch
 * (ruleset.ts gardenCommands), and it replaces the config file's `walledGarden` entries too.
 *
 * @example
 *   const garden = createWalledGarden({ table: 'portico', apply, resolve: dnsResolver(), log, refreshMs: 600_000, timeoutMs: 3000 });
 *   await garden.set(['pay.example.org', '192.0.2.0/24']);
 */
import { lookup } from 'node:dns/promises';
import type { Logger } from '../../lib/log.js';
import { gardenElements } from './garden.js';
import { gardenCommands } from './ruleset.js';

/** Host name → its addresses (IPv4 and IPv6). */
export type Resolver = (name: string) => Promise<string[]>;

export function dnsResolver(): Resolver {
  return async (name) => (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);
}

export interface WalledGardenOptions {
  table: string;
  apply(cmds: string[]): Promise<void>;
  resolve: Resolver;
  log: Logger;
  refreshMs: number;
  timeoutMs: number;
}

export interface WalledGarden {
  /** Replaces the garden with `entries` (names resolved first); resolves once the kernel holds it. */
  set(entries: string[]): Promise<void>;
  /** The batch that restores the current garden (appended to the base ruleset at start), or null if never set. */
  commands(): string[] | null;
  stop(): void;
}

export function createWalledGarden(o: WalledGardenOptions): WalledGarden {
  let entries: string[] | null = null;
  let names: string[] = [];
  /** Last addresses each name resolved to, and the batch last applied. */
  let resolved = new Map<string, string[]>();
  let applied: string[] | null = null;
  let generation = 0;
  let timer: NodeJS.Timeout | null = null;

  const withTimeout = (name: string): Promise<string[]> => {
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
      t.unref();
    });
    return Promise.race([o.resolve(name), late]).finally(() => clearTimeout(t));
  };

  /** Resolves every name; a failure keeps what the name had before (nothing, the first time). */
  const resolveAll = async (list: string[], prev: Map<string, string[]>): Promise<Map<string, string[]>> => {
    const got = await Promise.all(
      list.map(async (name): Promise<[string, string[]]> => {
        try {
          const addrs = gardenElements(await withTimeout(name));
          return [name, [...addrs.v4, ...addrs.v6]];
        } catch (err) {
          o.log.warn('gateway/nftables', 'walled garden host name not resolved; skipped', { name, err: err instanceof Error ? err.message : String(err) });
          return [name, prev.get(name) ?? []];
        }
      }),
    );
    return new Map(got);
  };

  const addresses = (literal: string[], byName: Map<string, string[]>): string[] => [...literal, ...[...byName.values()].flat()];

  const refresh = async (): Promise<void> => {
    const gen = generation;
    const literal = entries ? gardenElements(entries) : null;
    if (!literal) return;
    const next = await resolveAll(names, resolved);
    if (gen !== generation) return; // the operator saved a new list meanwhile
    const want = gardenCommands(o.table, addresses([...literal.v4, ...literal.v6], next));
    resolved = next;
    if (applied && sameList(applied, want)) return;
    await o.apply(want);
    applied = want;
  };

  return {
    async set(list) {
      const gen = ++generation;
      const literal = gardenElements(list);
      const next = await resolveAll(literal.invalid, new Map());
      if (gen !== generation) return;
      const want = gardenCommands(o.table, addresses([...literal.v4, ...literal.v6], next));
      await o.apply(want);
      entries = [...list];
      names = literal.invalid;
      resolved = next;
      applied = want;
      if (timer) clearInterval(timer);
      timer = null;
      if (names.length && o.refreshMs > 0) {
        timer = setInterval(() => {
          refresh().catch((err: unknown) => o.log.warn('gateway/nftables', 'walled garden refresh failed', { err: String(err) }));
        }, o.refreshMs);
        timer.unref();
      }
    },
    commands() {
      return applied ? [...applied] : null;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
