/**
 * Loads the config: schema defaults → JSON file → PORTICO_* environment. Every key in the schema has an
 * environment name: its path in SCREAMING_SNAKE_CASE after `PORTICO_` (`listen.port` → PORTICO_LISTEN_PORT,
 * `accounting.intervalMs` → PORTICO_ACCOUNTING_INTERVAL_MS). Values are read as JSON when they parse
 * (numbers, booleans, arrays) and as plain strings otherwise; a comma list is accepted for arrays.
 *
 * An invalid config throws ConfigError naming the bad key's path and what is allowed; nothing starts.
 *
 * @example
 *   const config = loadConfig({ file: 'portico.json', env: process.env, readFile });
 */
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadOptions {
  /** Path of the JSON config file, if any (`--config`, else PORTICO_CONFIG). */
  file?: string | undefined;
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

export function loadConfig(opts: LoadOptions): Config {
  const file = opts.file ?? opts.env.PORTICO_CONFIG;
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try {
      text = opts.readFile(file);
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`config file ${file} must hold a JSON object`);
    }
  }
  const merged = applyEnv(structuredClone(fromFile) as Record<string, unknown>, opts.env);
  return parseConfig(merged);
}

/** Validates a plain object against the schema and fills in derived defaults. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error));
  const c = result.data;
  const host = c.listen.host === '0.0.0.0' || c.listen.host === '::' ? '127.0.0.1' : c.listen.host;
  const portalUrl = c.portalUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${c.listen.port}/`;
  return { ...c, portalUrl };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => (path === '(root)' ? k : `${path}.${k}`)).join(', ');
        return `config: unknown key ${keys} (allowed: ${allowedKeys(issue.path).join(', ')})`;
      }
      return `config: ${path}: ${issue.message}`;
    })
    .join('\n');
}

/** Environment names for every leaf key of the schema, e.g. PORTICO_LISTEN_PORT → ['listen','port']. */
export function envKeys(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (schema: z.ZodType, path: string[]) => {
    const obj = objectOf(schema);
    if (obj && path.length < 3) {
      for (const [key, child] of Object.entries(obj.shape)) walk(child as z.ZodType, [...path, key]);
      return;
    }
    const name = 'PORTICO_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
    out.set(name, path);
  };
  walk(configSchema, []);
  return out;
}

function applyEnv(target: Record<string, unknown>, env: Record<string, string | undefined>): Record<string, unknown> {
  const keys = envKeys();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('PORTICO_') || name === 'PORTICO_CONFIG' || raw === undefined) continue;
    const path = keys.get(name);
    if (!path) continue; // other PORTICO_* variables (e.g. PORTICO_LOG for tests) are not config keys
    let node = target;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = envValue(raw, isArrayKey(path));
  }
  return target;
}

function envValue(raw: string, array: boolean): unknown {
  try {
    const v: unknown = JSON.parse(raw);
    if (!array || Array.isArray(v)) return v;
  } catch {
    /* a plain string */
  }
  return array ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
}

function isArrayKey(path: string[]): boolean {
  let schema: z.ZodType | undefined = configSchema;
  for (const key of path) schema = schema ? (objectOf(schema)?.shape[key] as z.ZodType | undefined) : undefined;
  return schema !== undefined && unwrap(schema) instanceof z.ZodArray;
}

function allowedKeys(path: PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = configSchema;
  for (const key of path) schema = schema ? (objectOf(schema)?.shape[String(key)] as z.ZodType | undefined) : undefined;
  const obj = schema ? objectOf(schema) : undefined;
  return obj ? Object.keys(obj.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  // ZodDefault, ZodPrefault, ZodOptional and refinements all keep the wrapped schema in def.innerType / def.in.
  for (let i = 0; i < 8; i++) {
    const def = (s as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    const inner = def.innerType ?? def.in;
    if (!inner) break;
    s = inner;
  }
  return s;
}

function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  const s = unwrap(schema);
  return s instanceof z.ZodObject ? s : undefined;
}
