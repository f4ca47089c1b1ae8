/**
 * A plan in words, for residents and printed sheets: "2 GB, 30 days from first use, 2 devices".
 * Four languages (en, es, pt, fr); anything else falls back to English.
 *
 * @example
 *   describePlan(plan, 'es'); // '2 GB, 30 días desde el primer uso, 2 dispositivos'
 */
import type { Plan } from './plan.js';
import { formatBytes, formatRate } from './units.js';

/** The languages Portico speaks, once: the config schema, the CLI and the pages derive theirs from it. */
export const LANGS = ['en', 'es', 'pt', 'fr'] as const;
export type Lang = (typeof LANGS)[number];

/** The decimal separator of each language (CLDR: a comma in es, pt and fr). */
export const DECIMAL: Record<Lang, string> = { en: '.', es: ',', pt: ',', fr: ',' };

/** `2.05 Mbit/s` → `2,05 Mbit/s` in es/pt/fr: the figures of formatBytes/formatRate in the language's way. */
export function localNumber(text: string, lang: Lang): string {
  const d = DECIMAL[lang] ?? '.';
  return d === '.' ? text : text.replace(/(\d)\.(\d)/g, `$1${d}$2`);
}
export const localBytes = (bytes: number, lang: Lang) => localNumber(formatBytes(bytes), lang);
export const localRate = (bps: number, lang: Lang) => localNumber(formatRate(bps), lang);

/**
 * One word for "voucher" per language, the same in the portal, the console (portal-ui/admin-*.js) and
 * the printed sheets; src/http/voucher-word.test.ts checks that they agree.
 */
export const VOUCHER_WORD: Record<Lang, { one: string; other: string }> = {
  en: { one: 'voucher', other: 'vouchers' },
  es: { one: 'ficha', other: 'fichas' },
  pt: { one: 'voucher', other: 'vouchers' },
  fr: { one: 'ticket', other: 'tickets' },
};

interface Words {
  unit: Record<'minute' | 'hour' | 'day' | 'week', [string, string]>;
  fromFirstUse: string;
  unlimitedTime: string;
  unlimitedData: string;
  device: [string, string];
  down: string;
  dl: string;
  ul: string;
  reset: Record<'daily' | 'weekly' | 'monthly', string>;
  thenSlow: string;
  useBy: string;
}

const WORDS: Record<Lang, Words> = {
  en: {
    unit: { minute: ['minute', 'minutes'], hour: ['hour', 'hours'], day: ['day', 'days'], week: ['week', 'weeks'] },
    fromFirstUse: 'from first use', unlimitedTime: 'no time limit', unlimitedData: 'unlimited data',
    device: ['device', 'devices'], down: 'up to', dl: 'down', ul: 'up', thenSlow: 'then slower speed',
    reset: { daily: 'renews daily', weekly: 'renews weekly', monthly: 'renews monthly' }, useBy: 'use by',
  },
  es: {
    unit: { minute: ['minuto', 'minutos'], hour: ['hora', 'horas'], day: ['día', 'días'], week: ['semana', 'semanas'] },
    fromFirstUse: 'desde el primer uso', unlimitedTime: 'sin límite de tiempo', unlimitedData: 'datos ilimitados',
    device: ['dispositivo', 'dispositivos'], down: 'hasta', dl: 'de bajada', ul: 'de subida', thenSlow: 'luego velocidad reducida',
    reset: { daily: 'se renueva cada día', weekly: 'se renueva cada semana', monthly: 'se renueva cada mes' }, useBy: 'usar antes del',
  },
  pt: {
    unit: { minute: ['minuto', 'minutos'], hour: ['hora', 'horas'], day: ['dia', 'dias'], week: ['semana', 'semanas'] },
    fromFirstUse: 'a partir do primeiro uso', unlimitedTime: 'sem limite de tempo', unlimitedData: 'dados ilimitados',
    device: ['dispositivo', 'dispositivos'], down: 'até', dl: 'para baixar', ul: 'para enviar', thenSlow: 'depois velocidade reduzida',
    reset: { daily: 'renova todo dia', weekly: 'renova toda semana', monthly: 'renova todo mês' }, useBy: 'usar até',
  },
  fr: {
    unit: { minute: ['minute', 'minutes'], hour: ['heure', 'heures'], day: ['jour', 'jours'], week: ['semaine', 'semaines'] },
    fromFirstUse: 'à partir de la première utilisation', unlimitedTime: 'sans limite de temps', unlimitedData: 'données illimitées',
    device: ['appareil', 'appareils'], down: "jusqu'à", dl: 'en réception', ul: 'en envoi', thenSlow: 'puis débit réduit',
    reset: { daily: 'renouvelé chaque jour', weekly: 'renouvelé chaque semaine', monthly: 'renouvelé chaque mois' }, useBy: 'à utiliser avant le',
  },
};

export function durationWords(seconds: number, lang: Lang = 'en'): string {
  const w = WORDS[lang] ?? WORDS.en;
  const pick = (n: number, unit: keyof Words['unit']) => `${n} ${w.unit[unit][n === 1 ? 0 : 1]}`;
  if (seconds % 604800 === 0) return pick(seconds / 604800, 'week');
  if (seconds % 86400 === 0) return pick(seconds / 86400, 'day');
  if (seconds % 3600 === 0) return pick(seconds / 3600, 'hour');
  return pick(Math.max(1, Math.round(seconds / 60)), 'minute');
}

/**
 * The plan a pool amounts to now: its own plan with the data and time of every code added to it ("add a
 * code"), so the words a resident reads match the totals they see. Time counts from first use.
 *
 * @example
 *   poolPlan(plan1h50MB, { activatedAt: t, expiresAt: t + 7_200_000, dataTotal: 100e6 }); // 2 hours, 100 MB
 */
export function poolPlan(plan: Plan, pool: { activatedAt: number; expiresAt: number | null; dataTotal: number | null }): Plan {
  return {
    ...plan,
    dataBytes: pool.dataTotal,
    durationSec: pool.expiresAt === null ? null : Math.max(0, Math.round((pool.expiresAt - pool.activatedAt) / 1000)),
    redeemBy: null,
  };
}

export function describePlan(plan: Plan, lang: Lang = 'en'): string {
  const w = WORDS[lang] ?? WORDS.en;
  const parts: string[] = [];
  parts.push(plan.dataBytes !== null ? localBytes(plan.dataBytes, lang) : w.unlimitedData);
  parts.push(plan.durationSec !== null ? `${durationWords(plan.durationSec, lang)} ${w.fromFirstUse}` : w.unlimitedTime);
  parts.push(`${plan.devices} ${w.device[plan.devices === 1 ? 0 : 1]}`);
  // The upload speed too (newcomer report: "the words drop the upload speed"); download alone reads as before.
  if (plan.downBps !== null && plan.upBps !== null) parts.push(`${w.down} ${localRate(plan.downBps, lang)} ${w.dl} / ${localRate(plan.upBps, lang)} ${w.ul}`);
  else if (plan.downBps !== null) parts.push(`${w.down} ${localRate(plan.downBps, lang)}`);
  else if (plan.upBps !== null) parts.push(`${w.down} ${localRate(plan.upBps, lang)} ${w.ul}`);
  if (plan.reset !== null) parts.push(w.reset[plan.reset]);
  if (plan.onExhausted === 'throttle' && plan.dataBytes !== null) parts.push(w.thenSlow);
  if (plan.redeemBy !== null) parts.push(`${w.useBy} ${new Date(plan.redeemBy).toISOString().slice(0, 10)}`);
  return parts.join(', ');
}
