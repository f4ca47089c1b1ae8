/**
 * The operator's own words on the resident side, each settable per language: the welcome text, the
 * terms of use (when set, the login form asks to tick "I accept") and a notice ("outage tonight
 * 22:00–23:00") shown on the portal and the network page. Each has one text for every language and
 * optional per-language texts that win (`welcome` + `welcomeByLang.es`). Stored in the settings
 * key/value table through core/admin.ts; this file reads, validates and picks them.
 *
 * @example
 *   const texts = readPortalTexts(store.settings.all());
 *   pickText(texts.welcome, texts.welcomeByLang, 'es'); // the Spanish welcome, else the common one
 */
import { DomainError } from '../domain/errors.js';
import { LANGS, type Lang } from '../domain/plan-words.js';

export type ByLang = Partial<Record<Lang, string>>;

export interface PortalTexts {
  welcome: string;
  welcomeByLang: ByLang;
  /** Terms of use; empty: none, and no checkbox. */
  terms: string;
  termsByLang: ByLang;
  /** Operator notice for residents and the network page; empty: none. */
  notice: string;
  noticeByLang: ByLang;
}

/** Longest text of each kind, in characters (the whole settings body must stay under the 16 KB limit). */
const MAX: Record<'welcome' | 'terms' | 'notice', number> = { welcome: 500, terms: 2000, notice: 300 };
const KINDS = ['welcome', 'terms', 'notice'] as const;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
function byLang(v: unknown): ByLang {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: ByLang = {};
  for (const l of LANGS) {
    const s = (v as Record<string, unknown>)[l];
    if (typeof s === 'string' && s.trim()) out[l] = s;
  }
  return out;
}

/** The saved texts (missing or damaged values read as empty). */
export function readPortalTexts(saved: Record<string, unknown>): PortalTexts {
  return {
    welcome: str(saved.welcome), welcomeByLang: byLang(saved.welcomeByLang),
    terms: str(saved.terms), termsByLang: byLang(saved.termsByLang),
    notice: str(saved.notice), noticeByLang: byLang(saved.noticeByLang),
  };
}

/**
 * Validates the texts present in a settings body; returns what to save. Throws INVALID_INPUT naming the
 * field (`terms`, `noticeByLang`…), like the other settings.
 */
export function parsePortalTexts(input: Record<string, unknown>): Partial<PortalTexts> {
  const next: Partial<PortalTexts> = {};
  for (const k of KINDS) {
    const v = input[k];
    if (v !== undefined) {
      if (typeof v !== 'string' || v.length > MAX[k]) throw new DomainError('INVALID_INPUT', `${k} must be text of up to ${MAX[k]} characters`, { field: k });
      next[k] = v.trim();
    }
    const field = `${k}ByLang` as const;
    const m = input[field];
    if (m === undefined) continue;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new DomainError('INVALID_INPUT', `${field} must map languages to texts`, { field });
    const out: ByLang = {};
    for (const [lang, text] of Object.entries(m as Record<string, unknown>)) {
      if (!(LANGS as readonly string[]).includes(lang) || typeof text !== 'string' || text.length > MAX[k]) {
        throw new DomainError('INVALID_INPUT', `${field}: one of ${LANGS.join(', ')} → text of up to ${MAX[k]} characters`, { field });
      }
      if (text.trim()) out[lang as Lang] = text.trim();
    }
    next[field] = out;
  }
  return next;
}

/** The text for `lang`: its own, else the common one ('' when neither is set). */
export function pickText(common: string, perLang: ByLang, lang: Lang): string {
  return perLang[lang] ?? common;
}
