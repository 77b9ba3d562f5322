import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Checkpoint, EmbeddingSnapshot, ImageRef, Job } from '../../../src-main/domain';
import type { EngineEvent } from '../../../src-main/api/events';
import { useApi } from '../api';
import { tileToDataUrl } from '../lib/tiles';

export const evaluationTabs = ['diagnostics', 'map', 'retrieval', 'similarity', 'checkpoints'] as const;
export type EvaluationTab = (typeof evaluationTabs)[number];

/** getImages takes at most this many images per call. */
const imagesPerCall = 256;
const maxCachedImages = 6000;
const maxCachedSnapshots = 4;

/**
 * What the run view's evaluation tabs share: the checkpoints and probe jobs of the runs they opened (kept
 * current from `checkpoint` and `job-updated` events), dataset images as data URLs (loaded in batches,
 * cached), and the last few embedding snapshots (the map and the retrieval view both read them).
 */
export const useEvaluationStore = defineStore('evaluation', () => {
  const api = useApi();
  const tab = ref<EvaluationTab>('diagnostics');
  const checkpoints = ref<Record<number, Checkpoint[]>>({});
  const jobs = ref<Record<number, Job[]>>({});

  function upsertById<T extends { id: number }>(list: T[], item: T): void {
    const i = list.findIndex((x) => x.id === item.id);
    if (i >= 0) list[i] = item;
    else list.push(item);
  }

  function handle(e: EngineEvent): void {
    if (e.event === 'job-updated') {
      const list = jobs.value[e.job.runId];
      if (list) upsertById(list, e.job);
    } else if (e.event === 'checkpoint') {
      const list = checkpoints.value[e.checkpoint.runId];
      if (list) {
        upsertById(list, e.checkpoint);
        list.sort((a, b) => a.step - b.step);
      }
    }
  }
  api.onEvent(handle);

  async function loadCheckpoints(runId: number): Promise<void> {
    const list = await api.listCheckpoints(runId);
    // Events may have added some while the call was in flight: keep them.
    const merged = [...list];
    for (const c of checkpoints.value[runId] ?? []) if (!merged.some((x) => x.id === c.id)) merged.push(c);
    checkpoints.value[runId] = merged.sort((a, b) => a.step - b.step);
  }

  async function loadJobs(runId: number): Promise<void> {
    const list = await api.listJobs(runId);
    const known = jobs.value[runId] ?? [];
    // A job's event may be newer than the listed row: keep whichever progressed further.
    jobs.value[runId] = list.map((j) => {
      const k = known.find((x) => x.id === j.id);
      return k && (k.endedAt || k.progress > j.progress) && !j.endedAt ? k : j;
    });
    for (const k of known) if (!list.some((j) => j.id === k.id)) jobs.value[runId]!.push(k);
  }

  async function startProbe(runId: number, checkpointId?: number): Promise<Job> {
    const job = await api.startLinearProbe(runId, checkpointId);
    upsertById((jobs.value[runId] ??= []), job);
    return job;
  }

  // Images: data URLs outside Vue's reactivity (many, immutable); callers await them.
  const images = new Map<string, Promise<string>>();
  const imageKey = (runId: number, r: ImageRef) => `${runId}/${r.split}/${r.index}`;

  /** Data URLs of dataset images of a run, loading the ones not cached in calls of at most 256. */
  async function imageUrls(runId: number, refs: ImageRef[]): Promise<string[]> {
    const seen = new Set<string>();
    const missing = refs.filter((r) => {
      const key = imageKey(runId, r);
      if (images.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    for (let start = 0; start < missing.length; start += imagesPerCall) {
      const chunk = missing.slice(start, start + imagesPerCall);
      const tiles = api.getImages(runId, chunk).then((t) => t.map((tile) => tileToDataUrl(tile)));
      chunk.forEach((r, i) => {
        const key = imageKey(runId, r);
        const url = tiles.then((urls) => urls[i]!);
        // A failed load is forgotten, so the next call tries again.
        url.catch(() => images.delete(key));
        images.set(key, url);
      });
    }
    const wanted = refs.map((r) => images.get(imageKey(runId, r))!);
    if (images.size > maxCachedImages) {
      const drop = images.size - maxCachedImages;
      let n = 0;
      for (const key of images.keys()) {
        if (n++ >= drop) break;
        images.delete(key);
      }
    }
    return Promise.all(wanted);
  }

  async function imageUrl(runId: number, ref: ImageRef): Promise<string> {
    return (await imageUrls(runId, [ref]))[0]!;
  }

  // Snapshots: a few, by run and epoch (the latest one also under 'latest' until the run advances).
  const snapshots = new Map<string, Promise<EmbeddingSnapshot>>();

  function snapshot(runId: number, epoch?: number): Promise<EmbeddingSnapshot> {
    const key = `${runId}/${epoch ?? 'latest'}`;
    let s = snapshots.get(key);
    if (!s) {
      s = api.getEmbedding(runId, epoch);
      s.catch(() => snapshots.delete(key));
      snapshots.set(key, s);
      while (snapshots.size > maxCachedSnapshots) snapshots.delete(snapshots.keys().next().value!);
    }
    return s;
  }

  /** Forgets a run's 'latest' snapshot (a new epoch was evaluated). */
  function invalidateLatest(runId: number): void {
    snapshots.delete(`${runId}/latest`);
  }

  /** Forgets what a resumed run no longer has: its checkpoints after `step` and its embedding snapshots. */
  function forgetAfter(runId: number, step: number): void {
    const list = checkpoints.value[runId];
    if (list) checkpoints.value[runId] = list.filter((c) => c.step <= step);
    for (const key of [...snapshots.keys()]) if (key.startsWith(`${runId}/`)) snapshots.delete(key);
  }

  return {
    tab,
    checkpoints,
    jobs,
    loadCheckpoints,
    loadJobs,
    startProbe,
    imageUrls,
    imageUrl,
    snapshot,
    invalidateLatest,
    forgetAfter,
  };
});
