import { reactive } from 'vue';
import type { ImageRef } from '../../../src-main/domain';
import { useEvaluationStore } from '../stores/evaluation';

/**
 * Dataset images of a run as data URLs for a component's template: `request` loads what is missing
 * (through the evaluation store's cache), `url` reads one (undefined until it has loaded).
 */
export function useImageUrls(runId: () => number) {
  const evaluation = useEvaluationStore();
  const urls = reactive(new Map<string, string>());
  const key = (r: ImageRef) => `${runId()}/${r.split}/${r.index}`;

  async function request(refs: ImageRef[]): Promise<void> {
    const id = runId();
    const todo = refs.filter((r) => !urls.has(key(r)));
    if (!todo.length) return;
    const loaded = await evaluation.imageUrls(id, todo);
    if (id !== runId()) return;
    todo.forEach((r, i) => urls.set(key(r), loaded[i]!));
  }

  const url = (split: ImageRef['split'], index: number) => urls.get(key({ split, index }));
  return { request, url };
}
