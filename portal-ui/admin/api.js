// @ts-check
/**
 * The console's client for the JSON API under /api/admin/: the signed-in operator and CSRF token, one
 * `api()` call that sends both, and the API's `{ok: false, code, message}` envelope turned into a
 * sentence in the console's language (the server's own message is English and for logs).
 *
 * A 401 on any call (signed out elsewhere, disabled) or a 4401 on the socket ends the session here;
 * the shell registers what to do then with onSessionEnd().
 *
 * @typedef {import('../../src/api/contract.js').OperatorSelf} OperatorSelf
 * @typedef {import('./i18n.js').TextKey} TextKey
 *
 * @example
 *   const plans = await api('GET', '/api/admin/plans');
 */
import { lang, t } from './i18n.js';

/** @type {{ me: OperatorSelf | null, csrf: string, mustChangePassword: boolean, currency: string }} */
export const session = { me: null, csrf: '', mustChangePassword: false, currency: '' };

let ended = () => {};
/** @param {() => void} fn */
export const onSessionEnd = (fn) => void (ended = fn);
/** The operator is no longer signed in: forget them and let the shell show the sign-in card. */
export function endSession() {
  session.me = null;
  session.csrf = '';
  session.mustChangePassword = false;
  ended();
}

export class ApiError extends Error {
  /** @param {string} message @param {string} code @param {number} status */
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', 'accept-language': lang };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null;
  if (!res.ok) {
    // A session that ended while the console was open (signed out elsewhere, disabled): back to sign-in.
    if (res.status === 401 && session.me && !path.endsWith('/login')) endSession();
    throw new ApiError(errorText(method, path, data), data?.code ?? 'HTTP', res.status);
  }
  return data;
}

/** Codes whose sentence does not depend on the action. */
/** @type {Record<string, TextKey>} */
const CODE_TEXT = { NOT_FOUND: 'errNotFound', GATEWAY_UNAVAILABLE: 'errGateway', STORAGE_FAILED: 'errStorage', TOO_MANY_ATTEMPTS: 'errWait', INTERNAL: 'errOther' };
/**
 * INVALID_INPUT messages name their field first ("count must be…", "password must be…") and unit
 * parse errors name the unit ("… is not a duration"): that picks the sentence.
 * @type {[RegExp, TextKey][]}
 */
const FIELD_TEXT = [
  [/^count /, 'errCount'], [/^price /, 'errPrice'], [/^devices /, 'errDevices'], [/^note /, 'errNote'], [/^reason /, 'errReason'], [/^password /, 'errPassword'],
  [/^operator name/, 'errOpName'], [/^plan name/, 'errPlanName'], [/^no plan named/, 'errNoPlan'], [/^networkName /, 'errNetName'], [/^ssid /, 'errSsid'],
  [/^welcome /, 'errWelcome'], [/^languages/, 'errLangs'], [/^walled garden/, 'errGarden'], [/^currency/, 'errCurrency'], [/^redeem-by|^redeemBy/, 'errRedeemBy'], [/^plans:/, 'errNoPlan'],
  [/^duration |\bduration\b/, 'errDuration'], [/^data |\bsize\b/, 'errData'], [/^(down|up) |\brate\b/, 'errSpeed'],
];

/** @type {Record<string, TextKey>} the envelope's `field` → its sentence (`name` depends on the page) */
const FIELD_KEY = {
  count: 'errCount', price: 'errPrice', devices: 'errDevices', note: 'errNote', reason: 'errReason', password: 'errPassword',
  plan: 'errNoPlan', networkName: 'errNetName', ssid: 'errSsid', welcome: 'errWelcome', languages: 'errLangs', walledGarden: 'errGarden', currency: 'errCurrency', redeemBy: 'errRedeemBy', wifiPassword: 'errWifiPw',
  duration: 'errDuration', durationSec: 'errDuration', data: 'errData', dataBytes: 'errData', down: 'errSpeed', up: 'errSpeed', downBps: 'errSpeed', upBps: 'errSpeed',
};
/** @param {string} field @param {string} path @returns {TextKey | undefined} */
function fieldKey(field, path) {
  if (field === 'name') return path.includes('/plans') ? 'errPlanName' : path.includes('/operators') ? 'errOpName' : undefined;
  return FIELD_KEY[field];
}

/**
 * The API's `{ok: false, code, message}` as a sentence in the console's language; the server's own
 * (English) message when the code is not one we know.
 * @param {string} method @param {string} path @param {{ code?: string, message?: string, retryAfter?: number, field?: string } | null} data
 */
export function errorText(method, path, data) {
  const code = data?.code ?? '', m = data?.message ?? '';
  /** @type {TextKey | undefined} */
  let key = CODE_TEXT[code];
  if (code === 'UNAUTHENTICATED') key = path.endsWith('/login') ? 'errLogin' : 'errSession';
  // The sign-in throttle holds a name+address, not "wrong codes": say what is being waited out (D6).
  else if (code === 'TOO_MANY_ATTEMPTS' && path.endsWith('/login')) key = 'errSignInWait';
  else if (code === 'FORBIDDEN' && m.includes('choose your own password')) key = 'errFirstPw';
  else if (code === 'FORBIDDEN' && data?.field === 'price') key = 'errPriceFloor';
  else if (code === 'FORBIDDEN' && m.includes('may not sell')) key = 'errSellerPlan';
  else if (code === 'FORBIDDEN' && data?.field === 'plan') key = 'errSellerCustom';
  else if (code === 'FORBIDDEN') key = m.includes('CSRF') ? 'errCsrf' : path.endsWith('/password') ? 'errCurrentPw' : path.endsWith('/login') ? undefined : 'errRole';
  else if (code === 'CONFLICT' && path.endsWith('/extend')) key = m.includes('not used yet') ? 'errExtendUnused' : 'errExtendEnded';
  else if (code === 'CONFLICT' && path.endsWith('/disconnect')) key = 'errOffline';
  else if (code === 'CONFLICT') key = path.endsWith('/revoke') ? 'errRevoked' : method === 'POST' ? 'errOpExists' : method === 'PATCH' ? 'errSelf' : undefined;
  // A list whose line N is wrong (walled garden, bypass): say which line and what it holds.
  const line = code === 'INVALID_INPUT' && /^(walled garden|bypass) line (\d+): "(.*)"/.exec(m);
  if (line) return t(line[1] === 'bypass' ? 'errBypassLine' : 'errGardenLine', { line: line[2] ?? '', value: line[3] ?? '' });
  else if (code === 'INVALID_INPUT') key = (data?.field && fieldKey(data.field, path)) || FIELD_TEXT.find(([re]) => re.test(m))?.[1];
  return key ? t(key, { s: data?.retryAfter ?? '' }) : m || t('errOther');
}
