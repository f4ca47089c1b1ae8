/**
 * Interface words of the resident status page and the public network page that src/http/i18n.ts does
 * not hold (its messages are the error texts and the login/status basics). Same four languages.
 *
 * @example
 *   ui('es', 'devicesOnline'); // 'Dispositivos conectados'
 */
import type { Lang } from '../domain/plan-words.js';

const TEXT = {
  en: {
    codeHint: 'The code printed on your ticket. Capitals, spaces and dashes do not matter.',
    refresh: 'Refresh', language: 'Language', usedOf: 'used of', live: 'Live', until: 'until',
    networkTitle: 'Network status', devicesOnline: 'Devices online', throughput: 'Uplink throughput',
    today: "Today's traffic", gateway: 'Gateway', gatewayOk: 'Working', gatewayDown: 'Not answering',
    noPersonal: 'Totals only: this page shows nothing about any person or device.', signIn: 'Sign in',
    status: 'Status', down: 'down', up: 'up', retryIn: 'You can try again in {s} seconds.',
  },
  es: {
    codeHint: 'El código impreso en tu ticket. Mayúsculas, espacios y guiones no importan.',
    refresh: 'Actualizar', language: 'Idioma', usedOf: 'usados de', live: 'En vivo', until: 'hasta',
    networkTitle: 'Estado de la red', devicesOnline: 'Dispositivos conectados', throughput: 'Tráfico de salida',
    today: 'Tráfico de hoy', gateway: 'Puerta de enlace', gatewayOk: 'Funcionando', gatewayDown: 'No responde',
    noPersonal: 'Solo totales: esta página no muestra nada sobre ninguna persona ni dispositivo.', signIn: 'Conectarse',
    status: 'Estado', down: 'bajada', up: 'subida', retryIn: 'Puedes intentarlo de nuevo en {s} segundos.',
  },
  pt: {
    codeHint: 'O código impresso no seu ticket. Maiúsculas, espaços e traços não importam.',
    refresh: 'Atualizar', language: 'Idioma', usedOf: 'usados de', live: 'Ao vivo', until: 'até',
    networkTitle: 'Estado da rede', devicesOnline: 'Dispositivos conectados', throughput: 'Tráfego do link',
    today: 'Tráfego de hoje', gateway: 'Gateway', gatewayOk: 'Funcionando', gatewayDown: 'Sem resposta',
    noPersonal: 'Só totais: esta página não mostra nada sobre nenhuma pessoa ou dispositivo.', signIn: 'Entrar',
    status: 'Estado', down: 'download', up: 'upload', retryIn: 'Você pode tentar de novo em {s} segundos.',
  },
  fr: {
    codeHint: 'Le code imprimé sur votre ticket. Majuscules, espaces et tirets sans importance.',
    refresh: 'Actualiser', language: 'Langue', usedOf: 'utilisés sur', live: 'En direct', until: "jusqu'au",
    networkTitle: 'État du réseau', devicesOnline: 'Appareils connectés', throughput: 'Débit de la liaison',
    today: "Trafic aujourd'hui", gateway: 'Passerelle', gatewayOk: 'En service', gatewayDown: 'Ne répond pas',
    noPersonal: "Totaux seulement : cette page ne montre rien sur aucune personne ni aucun appareil.", signIn: 'Se connecter',
    status: 'État', down: 'descendant', up: 'montant', retryIn: 'Vous pourrez réessayer dans {s} secondes.',
  },
} as const;

export type UiKey = keyof (typeof TEXT)['en'];

export function ui(lang: Lang, key: UiKey, vars: Record<string, string | number> = {}): string {
  const text: string = (TEXT[lang] ?? TEXT.en)[key] ?? TEXT.en[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
