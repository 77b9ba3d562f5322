import { createI18n } from 'vue-i18n';
import { en } from './en';
import { zh } from './zh';

export type Locale = 'en' | 'zh';
export const locales: Locale[] = ['en', 'zh'];

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, zh },
  missingWarn: false,
  fallbackWarn: false,
});

/** A label from a message table if it has one, else the fallback (e.g. a schema key, humanised). */
export function labelOr(path: string, fallback: string): string {
  const t = i18n.global.t;
  return i18n.global.te(path) ? t(path) : fallback;
}

/** "projectionHiddenDim" → "Projection hidden dim", "knn_top1" → "Knn top1". */
export function humanise(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
