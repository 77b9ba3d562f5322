import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  Checkpoint,
  EmbeddingSnapshot,
  FineTuneInput,
  ImageRef,
  Job,
  MetricPoint,
  Run,
} from '../../../src-main/domain';
import type { EngineEvent } from '../../../src-main/api/events';
import { useApi } from '../api';
import { shareOfTop1Key } from '../lib/fine-tune';
import { tileToDataUrl } from '../lib/tiles';

export const evaluationTabs = ['diagnostics', 'map', 'retrieval', 'similarity', 'checkpoints'] as const;
export type EvaluationTab = (typeof evaluationTabs)[number];

/** getImages takes at most this many images per call. */
const imagesPerCall = 256;
const maxCachedImages = 6000;
const maxCachedSnapshots = 4;

/**
 * What the run view's evaluation tabs share: the checkpoints and jobs (linear probes, fine-tunes) of the
 * runs they opened (kept current from `checkpoint` and `job-updated` events), the fine-tune points of the
 * runs whose label efficiency is shown, dataset images as data URLs (loaded in batches, cached), and the
 * last few embedding snapshots (the map and the retrieval view both read them).
 */
export const useEvaluationStore = defineStore('evaluation', () => {
  const api = useApi();
  const tab = ref<EvaluationTab>('diagnostics');
  const checkpoints = ref<Record<number, Checkpoint[]>>({});
  const jobs = ref<Record<number, Job[]>>({});
  /**
   * Top-1 points of one share of the labels (finetune_top1_<share>pct) by run, every one of them: a run's
   * metric series keep one point per step, in step order, while a fine-tune of step 0 may come after one
   * of the last checkpoint, and the same checkpoint may be fine-tuned on several shares.
   */
  const fineTunePoints = ref<Record<number, MetricPoint[]>>({});
  const fineTunesLoaded = new Set<number>();

  function upsertById<T extends { id: number }>(list: T[], item: T): void {
    const i = list.findIndex((x) => x.id === item.id);
    if (i >= 0) list[i] = item;
    else list.push(item);
  }

  function handle(e: EngineEvent): void {
    if (e.event === 'job-updated') {
      const list = jobs.value[e.job.runId];
      if (list) upsertById(list, e.job);
    } else if (e.event === 'metrics') {
      for (const p of e.points) {
        if (shareOfTop1Key(p.key) !== null) fineTunePoints.value[p.runId]?.push(p);
      }
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

  /**
   * Starts a fine-tune of a checkpoint on a share of the labels; the engine answers once the job's input
   * holds up, else refuses it with one line (thrown).
   */
  async function startFineTune(runId: number, input: FineTuneInput): Promise<Job> {
    const job = await api.startFineTune(runId, input);
    upsertById((jobs.value[runId] ??= []), job);
    return job;
  }

  /** Loads a run's fine-tune top-1 points once (the keys its summary names); later ones arrive as events. */
  async function ensureFineTunePoints(run: Pick<Run, 'id' | 'summary'>): Promise<void> {
    if (fineTunesLoaded.has(run.id)) return;
    fineTunesLoaded.add(run.id);
    // Points that arrive while the call is in flight are kept.
    const arrived = (fineTunePoints.value[run.id] ??= []);
    const keys = Object.keys(run.summary).filter((k) => shareOfTop1Key(k) !== null);
    try {
      const loaded = keys.length ? await api.getMetrics([run.id], keys) : [];
      const same = (a: MetricPoint, b: MetricPoint) =>
        a.key === b.key && a.step === b.step && a.wallTime === b.wallTime;
      fineTunePoints.value[run.id] = [
        ...loaded,
        ...(fineTunePoints.value[run.id] ?? arrived).filter((p) => !loaded.some((q) => same(p, q))),
      ];
    } catch (e) {
      fineTunesLoaded.delete(run.id);
      throw e;
    }
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

  /**
   * Forgets what a resumed run no longer has: its checkpoints and fine-tune points after `step`, and its
   * embedding snapshots.
   */
  function forgetAfter(runId: number, step: number): void {
    const list = checkpoints.value[runId];
    if (list) checkpoints.value[runId] = list.filter((c) => c.step <= step);
    const points = fineTunePoints.value[runId];
    if (points) fineTunePoints.value[runId] = points.filter((p) => p.step <= step);
    for (const key of [...snapshots.keys()]) if (key.startsWith(`${runId}/`)) snapshots.delete(key);
  }

  return {
    tab,
    checkpoints,
    jobs,
    loadCheckpoints,
    loadJobs,
    startProbe,
    startFineTune,
    fineTunePoints,
    ensureFineTunePoints,
    imageUrls,
    imageUrl,
    snapshot,
    invalidateLatest,
    forgetAfter,
  };
});
