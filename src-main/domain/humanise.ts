/**
 * A key written for programs as a label for people, when nothing better is declared: "projectionHiddenDim" →
 * "Projection hidden dim", "knn_top1" → "Knn top1". The same in every language.
 */
export function humanise(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
