/**
 * Resident words: plurals that agree with their number in every language, numbers with the language's
 * decimal separator, and one word for "voucher" per language shared by the portal and the console.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANGS, VOUCHER_WORD, describePlan, localRate } from '../domain/plan-words.js';
import { fill, t } from './i18n.js';
import { ui } from './ui-text.js';

describe('plurals', () => {
  it('says "1 second" and "2 seconds" (newcomer report, Broken 7), in every language', () => {
    expect(t('en', 'TOO_MANY_ATTEMPTS', { s: 1 })).toBe('Too many wrong codes. Please wait 1 second and try again.');
    expect(t('en', 'TOO_MANY_ATTEMPTS', { s: 2 })).toBe('Too many wrong codes. Please wait 2 seconds and try again.');
    expect(t('es', 'TOO_MANY_ATTEMPTS', { s: 1 })).toContain('Espera 1 segundo e');
    expect(t('pt', 'TOO_MANY_ATTEMPTS', { s: 16 })).toContain('Espere 16 segundos e');
    expect(t('fr', 'TOO_MANY_ATTEMPTS', { s: 1 })).toContain('Attendez 1 seconde puis');
    expect(ui('en', 'retryIn', { s: 1 })).toBe('You can try again in 1 second.');
    expect(fill('fr', '{n} {n:appareil|appareils}', { n: 0 })).toBe('0 appareil');
  });
});

describe('numbers', () => {
  it('uses the decimal comma in es, pt and fr, the point in en', () => {
    expect(localRate(2_050_000, 'en')).toBe('2.05 Mbit/s');
    expect(localRate(2_050_000, 'es')).toBe('2,05 Mbit/s');
    const plan = { durationSec: 86400, dataBytes: 1.5e9, downBps: 2_500_000, upBps: null, devices: 2, redeemBy: null, reset: null, onExhausted: 'block', throttleDownBps: null, throttleUpBps: null } as const;
    expect(describePlan(plan, 'fr')).toBe('1,5 GB, 1 jour à partir de la première utilisation, 2 appareils, jusqu\'à 2,5 Mbit/s');
    expect(describePlan(plan, 'en')).toContain('1.5 GB');
  });
});

describe('one word for "voucher" per language', () => {
  it('is the word of the console’s menu and of the portal’s code field', () => {
    for (const lang of LANGS) {
      const word = VOUCHER_WORD[lang];
      const console = readFileSync(new URL(`../../portal-ui/admin-${lang}.js`, import.meta.url), 'utf8');
      const tab = /\bvouchers: '([^']+)'/.exec(console)?.[1];
      expect(tab?.toLowerCase(), `console ${lang}`).toBe(word.other);
      expect(t(lang, 'codeLabel').toLowerCase(), `portal ${lang}`).toContain(word.one);
      expect(ui(lang, 'codeHint').toLowerCase(), `hint ${lang}`).toContain(word.one);
      for (const other of LANGS.map((l) => VOUCHER_WORD[l].one).filter((w) => w !== word.one)) {
        expect(t(lang, 'codeLabel').toLowerCase()).not.toContain(other);
      }
    }
  });
});
