import type { MethodInfo } from '../../../src-main/domain';

/**
 * The words a method is found by: its id and name, its paper's title, authors and year, its family
 * (as an id, "momentum-encoder", and in words, "momentum encoder"), and any the caller adds (the
 * family's and the idea's translation).
 */
export function methodWords(method: MethodInfo, extra: readonly string[] = []): string {
  return [
    method.id,
    method.title,
    method.idea,
    method.paper.title,
    method.paper.authors,
    String(method.paper.year),
    method.family,
    method.family.replace(/-/g, ' '),
    ...extra,
  ]
    .join('\n')
    .toLocaleLowerCase();
}

/**
 * Whether a method matches a search: every word of the query is in the method's words, in any order
 * and case ("moco 2020", "he momentum"); an empty query matches every method.
 */
export function methodMatches(method: MethodInfo, query: string, extra: readonly string[] = []): boolean {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = methodWords(method, extra);
  return words.every((w) => text.includes(w));
}
