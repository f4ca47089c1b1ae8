/**
 * Interface words of the resident status page and the public network page that src/http/i18n.ts does
 * not hold (its messages are the error texts and the login/status basics). Same four languages.
 *
 * @example
 *   ui('es', 'devicesOnline'); // 'Dispositivos conectados'
 */
import type { Lang } from '../domain/plan-words.js';
import { fill } from './i18n.js';

const TEXT = {
  en: {
    codeHint: 'The code printed on your voucher. Capitals, spaces and dashes do not matter.',
    refresh: 'Refresh', language: 'Language', usedOf: 'used of', live: 'Live', until: 'until',
    networkTitle: 'Network status', devicesOnline: 'Devices online', throughput: 'Internet use right now',
    today: "Today's traffic", gateway: 'Gateway', gatewayOk: 'Working', gatewayDown: 'Not answering',
    noPersonal: 'Totals only: this page shows nothing about any person or device.', signIn: 'Sign in',
    status: 'Status', down: 'down', up: 'up', retryIn: 'You can try again in {s} {s:second|seconds}.',
    endedExhausted: 'The data on your voucher is used up.', endedExpired: 'The time on your voucher is up.',
    endedRevoked: 'Your voucher has been cancelled. Ask the seller for help.', addToContinue: 'Add a new code to keep browsing.',
    endedLogout: 'You are logged out.', endedRemoved: 'Another device on your voucher logged this device out.',
    endedReplaced: 'Another device took this device’s place on your voucher.', signInAgain: 'Enter a code to connect again.',
    added: 'Code added. Your plan now: {words}.',
    yourCode: 'Your code', shareCode: 'Type it on another phone to share this plan (up to {n} devices).',
    keepCode: 'Keep it: type it again to reconnect.',
    historyTitle: 'Last 24 hours', historyEmpty: 'No history yet: the chart fills in as the network is used.',
    historySummary: 'Most devices online at once: {n}, at {at}. Traffic in 24 hours: {bytes}.', historyDevices: 'Devices online',
    historyTraffic: 'Traffic per hour', notice: 'Notice',
    termsTitle: 'Terms of use', accept: 'I accept the terms of use', termsRequired: 'Tick “I accept the terms of use” to connect.',
  },
  es: {
    codeHint: 'El código impreso en tu ficha. Mayúsculas, espacios y guiones no importan.',
    refresh: 'Actualizar', language: 'Idioma', usedOf: 'usados de', live: 'En vivo', until: 'hasta',
    networkTitle: 'Estado de la red', devicesOnline: 'Dispositivos conectados', throughput: 'Uso de internet ahora',
    today: 'Tráfico de hoy', gateway: 'Puerta de enlace', gatewayOk: 'Funcionando', gatewayDown: 'No responde',
    noPersonal: 'Solo totales: esta página no muestra nada sobre ninguna persona ni dispositivo.', signIn: 'Conectarse',
    status: 'Estado', down: 'bajada', up: 'subida', retryIn: 'Puedes intentarlo de nuevo en {s} {s:segundo|segundos}.',
    endedExhausted: 'Se acabaron los datos de tu ficha.', endedExpired: 'Se acabó el tiempo de tu ficha.',
    endedRevoked: 'Tu ficha fue anulada. Pide ayuda al vendedor.', addToContinue: 'Agrega un código nuevo para seguir navegando.',
    endedLogout: 'Cerraste la sesión.', endedRemoved: 'Otro dispositivo de tu ficha cerró la sesión de este.',
    endedReplaced: 'Otro dispositivo ocupó el lugar de este en tu ficha.', signInAgain: 'Escribe un código para volver a conectarte.',
    added: 'Código agregado. Tu plan ahora: {words}.',
    yourCode: 'Tu código', shareCode: 'Escríbelo en otro teléfono para compartir este plan (hasta {n} dispositivos).',
    keepCode: 'Guárdalo: escríbelo de nuevo para volver a conectarte.',
    historyTitle: 'Últimas 24 horas', historyEmpty: 'Aún no hay historial: el gráfico se llena a medida que se usa la red.',
    historySummary: 'Más dispositivos conectados a la vez: {n}, a las {at}. Tráfico en 24 horas: {bytes}.', historyDevices: 'Dispositivos conectados',
    historyTraffic: 'Tráfico por hora', notice: 'Aviso',
    termsTitle: 'Condiciones de uso', accept: 'Acepto las condiciones de uso', termsRequired: 'Marca «Acepto las condiciones de uso» para conectarte.',
  },
  pt: {
    codeHint: 'O código impresso no seu voucher. Maiúsculas, espaços e traços não importam.',
    refresh: 'Atualizar', language: 'Idioma', usedOf: 'usados de', live: 'Ao vivo', until: 'até',
    networkTitle: 'Estado da rede', devicesOnline: 'Dispositivos conectados', throughput: 'Uso da internet agora',
    today: 'Tráfego de hoje', gateway: 'Gateway', gatewayOk: 'Funcionando', gatewayDown: 'Sem resposta',
    noPersonal: 'Só totais: esta página não mostra nada sobre nenhuma pessoa ou dispositivo.', signIn: 'Entrar',
    status: 'Estado', down: 'download', up: 'upload', retryIn: 'Você pode tentar de novo em {s} {s:segundo|segundos}.',
    endedExhausted: 'Os dados do seu voucher acabaram.', endedExpired: 'O tempo do seu voucher acabou.',
    endedRevoked: 'Seu voucher foi cancelado. Peça ajuda ao vendedor.', addToContinue: 'Adicione um código novo para continuar navegando.',
    endedLogout: 'Você saiu.', endedRemoved: 'Outro dispositivo do seu voucher desconectou este.',
    endedReplaced: 'Outro dispositivo tomou o lugar deste no seu voucher.', signInAgain: 'Digite um código para conectar de novo.',
    added: 'Código adicionado. Seu plano agora: {words}.',
    yourCode: 'Seu código', shareCode: 'Digite-o em outro celular para compartilhar este plano (até {n} dispositivos).',
    keepCode: 'Guarde-o: digite de novo para reconectar.',
    historyTitle: 'Últimas 24 horas', historyEmpty: 'Ainda sem histórico: o gráfico se preenche conforme a rede é usada.',
    historySummary: 'Mais dispositivos conectados ao mesmo tempo: {n}, às {at}. Tráfego em 24 horas: {bytes}.', historyDevices: 'Dispositivos conectados',
    historyTraffic: 'Tráfego por hora', notice: 'Aviso',
    termsTitle: 'Termos de uso', accept: 'Aceito os termos de uso', termsRequired: 'Marque “Aceito os termos de uso” para conectar.',
  },
  fr: {
    codeHint: 'Le code imprimé sur votre ticket. Majuscules, espaces et tirets sans importance.',
    refresh: 'Actualiser', language: 'Langue', usedOf: 'utilisés sur', live: 'En direct', until: "jusqu'au",
    networkTitle: 'État du réseau', devicesOnline: 'Appareils connectés', throughput: "Utilisation d'internet en ce moment",
    today: "Trafic aujourd'hui", gateway: 'Passerelle', gatewayOk: 'En service', gatewayDown: 'Ne répond pas',
    noPersonal: "Totaux seulement : cette page ne montre rien sur aucune personne ni aucun appareil.", signIn: 'Se connecter',
    status: 'État', down: 'descendant', up: 'montant', retryIn: 'Vous pourrez réessayer dans {s} {s:seconde|secondes}.',
    endedExhausted: 'Les données de votre ticket sont épuisées.', endedExpired: 'Le temps de votre ticket est écoulé.',
    endedRevoked: 'Votre ticket a été annulé. Demandez de l’aide au vendeur.', addToContinue: 'Ajoutez un nouveau code pour continuer à naviguer.',
    endedLogout: 'Vous êtes déconnecté.', endedRemoved: 'Un autre appareil de votre ticket a déconnecté celui-ci.',
    endedReplaced: 'Un autre appareil a pris la place de celui-ci sur votre ticket.', signInAgain: 'Saisissez un code pour vous reconnecter.',
    added: 'Code ajouté. Votre forfait maintenant : {words}.',
    yourCode: 'Votre code', shareCode: 'Saisissez-le sur un autre téléphone pour partager ce forfait (jusqu’à {n} appareils).',
    keepCode: 'Gardez-le : saisissez-le à nouveau pour vous reconnecter.',
    historyTitle: 'Dernières 24 heures', historyEmpty: "Pas encore d'historique : le graphique se remplit au fil de l'utilisation du réseau.",
    historySummary: 'Le plus d’appareils connectés à la fois : {n}, à {at}. Trafic sur 24 heures : {bytes}.', historyDevices: 'Appareils connectés',
    historyTraffic: 'Trafic par heure', notice: 'Avis',
    termsTitle: "Conditions d'utilisation", accept: "J'accepte les conditions d'utilisation", termsRequired: "Cochez « J'accepte les conditions d'utilisation » pour vous connecter.",
  },
} as const;

export type UiKey = keyof (typeof TEXT)['en'];

export function ui(lang: Lang, key: UiKey, vars: Record<string, string | number> = {}): string {
  const text: string = (TEXT[lang] ?? TEXT.en)[key] ?? TEXT.en[key];
  return fill(lang, text, vars);
}
