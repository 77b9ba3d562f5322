import { onBeforeUnmount, ref } from 'vue';

/** The current time in ms, updated every `everyMs` while the component lives. */
export function useNow(everyMs = 1000) {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), everyMs);
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}

/** Seconds since the run started, to the end (or now). */
export function runDuration(
  run: { startedAt: string | null; endedAt: string | null },
  nowMs: number,
): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt ? Date.parse(run.endedAt) : nowMs;
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}
