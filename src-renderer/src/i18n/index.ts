import { createI18n } from 'vue-i18n';
import type { LabelLocale } from '../../../src-main/domain';
import { en } from './en';
import { zh } from './zh';

/** The app's languages: the ones the metric registry labels every metric in. */
export type Locale = LabelLocale;
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

export { humanise } from '../../../src-main/domain';
