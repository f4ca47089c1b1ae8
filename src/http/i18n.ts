/**
 * Resident-facing text in English, Spanish, Portuguese and French, chosen by `?lang=`, then the `lang`
 * cookie, then Accept-Language, limited to the network's configured languages.
 *
 * @example
 *   const lang = pickLang(c.req.header('accept-language'), undefined, ['en', 'es']);
 *   t(lang, 'VOUCHER_UNKNOWN');
 */
import { LANGS, type Lang } from '../domain/plan-words.js';

const MESSAGES = {
  en: {
    title: 'Sign in to the Wi-Fi', codeLabel: 'Voucher code', submit: 'Connect', connected: 'You are online',
    timeLeft: 'Time left', dataLeft: 'Data left', unlimited: 'Unlimited', devices: 'Devices on this code',
    thisDevice: 'this device', remove: 'Remove', logout: 'Log out this device', logoutAll: 'Log out all devices',
    addCode: 'Add a code', add: 'Add', replace: 'Replace my oldest device', speed: 'Speed', plan: 'Your plan',
    throttled: 'Your data is used up: you are on a slower fair-use speed.', signInLink: 'Sign in to the Wi-Fi network',
    CODE_MALFORMED: 'That does not look like a code. A code has 11 letters and digits, like K7QM-4XPA-9TR.',
    CODE_CHECK_FAILED: 'There is a typo in this code. Check each character and try again.',
    VOUCHER_UNKNOWN: 'This code does not exist. Check it and try again.',
    VOUCHER_REVOKED: 'This code has been cancelled. Ask the seller for help.',
    VOUCHER_EXPIRED: 'This code has expired.',
    VOUCHER_EXHAUSTED: 'The data on this code is used up.',
    DEVICE_LIMIT: 'This code is already in use on its maximum number of devices.',
    TOO_MANY_ATTEMPTS: 'Too many wrong codes. Please wait {s} {s:second|seconds} and try again.',
    NOT_AUTHORIZED: 'This device is not logged in.',
    CLIENT_UNKNOWN: 'We cannot see your device yet. Turn Wi-Fi off and on, then try again.',
    GATEWAY_UNAVAILABLE: 'The network is not answering right now. Your code was not used. Please try again in a minute.',
    STORAGE_FAILED: 'Something went wrong saving this. Your code was not used. Please try again.',
    INVALID_INPUT: 'Something in the form is not right.', NOT_FOUND: 'Not found.', CONFLICT: 'This code was already used.',
    FORBIDDEN: 'Not allowed.', UNAUTHENTICATED: 'Please sign in.',
  },
  es: {
    title: 'Conéctate al Wi-Fi', codeLabel: 'Código de la ficha', submit: 'Conectar', connected: 'Estás conectado',
    timeLeft: 'Tiempo restante', dataLeft: 'Datos restantes', unlimited: 'Ilimitado', devices: 'Dispositivos con este código',
    thisDevice: 'este dispositivo', remove: 'Quitar', logout: 'Cerrar sesión en este dispositivo', logoutAll: 'Cerrar sesión en todos',
    addCode: 'Agregar un código', add: 'Agregar', replace: 'Reemplazar mi dispositivo más antiguo', speed: 'Velocidad', plan: 'Tu plan',
    throttled: 'Se acabaron tus datos: navegas a velocidad reducida.', signInLink: 'Conéctate a la red Wi-Fi',
    CODE_MALFORMED: 'Eso no parece un código. Un código tiene 11 letras y números, como K7QM-4XPA-9TR.',
    CODE_CHECK_FAILED: 'Hay un error de escritura en el código. Revisa cada carácter.',
    VOUCHER_UNKNOWN: 'Este código no existe. Revísalo e inténtalo de nuevo.',
    VOUCHER_REVOKED: 'Este código fue anulado. Pide ayuda al vendedor.',
    VOUCHER_EXPIRED: 'Este código ha vencido.',
    VOUCHER_EXHAUSTED: 'Se agotaron los datos de este código.',
    DEVICE_LIMIT: 'Este código ya está en uso en el número máximo de dispositivos.',
    TOO_MANY_ATTEMPTS: 'Demasiados códigos incorrectos. Espera {s} {s:segundo|segundos} e inténtalo de nuevo.',
    NOT_AUTHORIZED: 'Este dispositivo no ha iniciado sesión.',
    CLIENT_UNKNOWN: 'Aún no vemos tu dispositivo. Apaga y enciende el Wi-Fi e inténtalo de nuevo.',
    GATEWAY_UNAVAILABLE: 'La red no responde en este momento. Tu código no se usó. Inténtalo en un minuto.',
    STORAGE_FAILED: 'Algo salió mal al guardar. Tu código no se usó. Inténtalo de nuevo.',
    INVALID_INPUT: 'Algo en el formulario no está bien.', NOT_FOUND: 'No encontrado.', CONFLICT: 'Este código ya fue usado.',
    FORBIDDEN: 'No permitido.', UNAUTHENTICATED: 'Inicia sesión.',
  },
  pt: {
    title: 'Entre no Wi-Fi', codeLabel: 'Código do voucher', submit: 'Conectar', connected: 'Você está conectado',
    timeLeft: 'Tempo restante', dataLeft: 'Dados restantes', unlimited: 'Ilimitado', devices: 'Dispositivos neste código',
    thisDevice: 'este dispositivo', remove: 'Remover', logout: 'Sair neste dispositivo', logoutAll: 'Sair em todos',
    addCode: 'Adicionar um código', add: 'Adicionar', replace: 'Substituir meu dispositivo mais antigo', speed: 'Velocidade', plan: 'Seu plano',
    throttled: 'Seus dados acabaram: você está em velocidade reduzida.', signInLink: 'Entre na rede Wi-Fi',
    CODE_MALFORMED: 'Isso não parece um código. Um código tem 11 letras e números, como K7QM-4XPA-9TR.',
    CODE_CHECK_FAILED: 'Há um erro de digitação no código. Confira cada caractere.',
    VOUCHER_UNKNOWN: 'Este código não existe. Confira e tente de novo.',
    VOUCHER_REVOKED: 'Este código foi cancelado. Peça ajuda ao vendedor.',
    VOUCHER_EXPIRED: 'Este código expirou.',
    VOUCHER_EXHAUSTED: 'Os dados deste código acabaram.',
    DEVICE_LIMIT: 'Este código já está em uso no número máximo de dispositivos.',
    TOO_MANY_ATTEMPTS: 'Muitos códigos errados. Espere {s} {s:segundo|segundos} e tente de novo.',
    NOT_AUTHORIZED: 'Este dispositivo não está conectado.',
    CLIENT_UNKNOWN: 'Ainda não vemos seu dispositivo. Desligue e ligue o Wi-Fi e tente de novo.',
    GATEWAY_UNAVAILABLE: 'A rede não está respondendo agora. Seu código não foi usado. Tente em um minuto.',
    STORAGE_FAILED: 'Algo deu errado ao salvar. Seu código não foi usado. Tente de novo.',
    INVALID_INPUT: 'Algo no formulário não está certo.', NOT_FOUND: 'Não encontrado.', CONFLICT: 'Este código já foi usado.',
    FORBIDDEN: 'Não permitido.', UNAUTHENTICATED: 'Entre primeiro.',
  },
  fr: {
    title: 'Connexion au Wi-Fi', codeLabel: 'Code du ticket', submit: 'Se connecter', connected: 'Vous êtes connecté',
    timeLeft: 'Temps restant', dataLeft: 'Données restantes', unlimited: 'Illimité', devices: 'Appareils sur ce code',
    thisDevice: 'cet appareil', remove: 'Retirer', logout: 'Déconnecter cet appareil', logoutAll: 'Déconnecter tous les appareils',
    addCode: 'Ajouter un code', add: 'Ajouter', replace: 'Remplacer mon plus ancien appareil', speed: 'Débit', plan: 'Votre forfait',
    throttled: 'Vos données sont épuisées : débit réduit.', signInLink: 'Connectez-vous au réseau Wi-Fi',
    CODE_MALFORMED: "Cela ne ressemble pas à un code. Un code a 11 lettres et chiffres, comme K7QM-4XPA-9TR.",
    CODE_CHECK_FAILED: 'Il y a une faute de frappe dans ce code. Vérifiez chaque caractère.',
    VOUCHER_UNKNOWN: "Ce code n'existe pas. Vérifiez-le et réessayez.",
    VOUCHER_REVOKED: 'Ce code a été annulé. Demandez de l’aide au vendeur.',
    VOUCHER_EXPIRED: 'Ce code a expiré.',
    VOUCHER_EXHAUSTED: 'Les données de ce code sont épuisées.',
    DEVICE_LIMIT: 'Ce code est déjà utilisé sur le nombre maximal d’appareils.',
    TOO_MANY_ATTEMPTS: 'Trop de codes erronés. Attendez {s} {s:seconde|secondes} puis réessayez.',
    NOT_AUTHORIZED: "Cet appareil n'est pas connecté.",
    CLIENT_UNKNOWN: 'Nous ne voyons pas encore votre appareil. Coupez et rallumez le Wi-Fi, puis réessayez.',
    GATEWAY_UNAVAILABLE: "Le réseau ne répond pas pour l'instant. Votre code n'a pas été utilisé. Réessayez dans une minute.",
    STORAGE_FAILED: "Un problème est survenu à l'enregistrement. Votre code n'a pas été utilisé. Réessayez.",
    INVALID_INPUT: "Quelque chose n'est pas correct dans le formulaire.", NOT_FOUND: 'Introuvable.', CONFLICT: 'Ce code a déjà été utilisé.',
    FORBIDDEN: 'Non autorisé.', UNAUTHENTICATED: 'Veuillez vous connecter.',
  },
} as const;

export type MessageKey = keyof (typeof MESSAGES)['en'];

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = (MESSAGES[lang] ?? MESSAGES.en)[key] ?? MESSAGES.en[key] ?? key;
  return fill(lang, text, vars);
}

/**
 * Fills `{name}` with a value and `{name:one|other}` with the word form for that number in `lang`
 * (Intl.PluralRules: "1 second", "2 seconds"; French "0 seconde"), so no message says "1 seconds".
 *
 * @example
 *   fill('en', 'wait {s} {s:second|seconds}', { s: 1 }); // 'wait 1 second'
 */
export function fill(lang: Lang, text: string, vars: Record<string, string | number>): string {
  return text
    .replace(/\{(\w+):([^|}]*)\|([^}]*)\}/g, (_, k: string, one: string, other: string) => (new Intl.PluralRules(lang).select(Number(vars[k] ?? 0)) === 'one' ? one : other))
    .replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function hasMessage(key: string): key is MessageKey {
  return key in MESSAGES.en;
}

/** Picks a language: explicit choice, then Accept-Language order, then the first allowed. */
export function pickLang(acceptLanguage: string | undefined, explicit: string | undefined, allowed: readonly Lang[]): Lang {
  const ok = (l: string | undefined): l is Lang => !!l && (allowed as readonly string[]).includes(l);
  if (ok(explicit)) return explicit;
  const prefs = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { lang: (tag ?? '').toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1 };
    })
    .filter((p) => p.lang && p.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const p of prefs) if (ok(p.lang)) return p.lang;
  return allowed[0] ?? 'en';
}

export { LANGS, type Lang };
