/**
 * What the engine describes in English (method ideas, config field help and units, dataset names and
 * descriptions) in the UI's language: the translation where zh-methods.ts has one, else the engine's
 * English. Pure functions of the locale, so components pass theirs and stay reactive to it.
 */
import type { DatasetInfo, MethodInfo } from '../../../src-main/domain';
import {
  zhDatasets,
  zhFieldLabels,
  zhMethodFieldHelp,
  zhMethodIdeas,
  zhSharedFieldHelp,
  zhUnits,
} from './zh-methods';

const isChinese = (locale: string) => locale === 'zh';

/** A method card's one-line idea. */
export function methodIdea(method: Pick<MethodInfo, 'id' | 'idea'>, locale: string): string {
  return (isChinese(locale) && zhMethodIdeas[method.id]) || method.idea;
}

/**
 * A config field's help (its schema description): the method's own text for its own fields (a
 * temperature means something else in each method), the shared text for the fields every method has.
 */
export function fieldHelp(
  methodId: string | undefined,
  key: string,
  english: string,
  locale: string,
): string {
  if (!isChinese(locale)) return english;
  const own = methodId ? zhMethodFieldHelp[methodId]?.[key] : undefined;
  return own ?? zhSharedFieldHelp[key] ?? english;
}

/** The label of a method's own field that the message tables do not name, or undefined. */
export function methodFieldLabel(key: string, locale: string): string | undefined {
  return isChinese(locale) ? zhFieldLabels[key] : undefined;
}

/** A field's unit (channels, epochs, images, …). */
export function unitText(unit: string, locale: string): string {
  return (isChinese(locale) && zhUnits[unit]) || unit;
}

/** A dataset's name as the dataset list shows it (CIFAR-10 stays CIFAR-10). */
export function datasetName(dataset: Pick<DatasetInfo, 'id' | 'name'>, locale: string): string {
  return (isChinese(locale) && zhDatasets[dataset.id]?.name) || dataset.name;
}

/** A dataset's description under the dataset field. */
export function datasetDescription(dataset: Pick<DatasetInfo, 'id' | 'description'>, locale: string): string {
  return (isChinese(locale) && zhDatasets[dataset.id]?.description) || dataset.description;
}
