import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import { echarts } from './echarts';

export interface EChartHooks {
  /** Draws the chart; called once it exists (and after each resize with `redrawOnResize`). */
  draw: () => void;
  /** Wires the new chart's events (clicks), before its first draw. */
  setup?: (chart: echarts.ECharts) => void;
  /** Draw again after a resize: for charts whose option depends on their own size. */
  redrawOnResize?: boolean;
}

/**
 * A canvas ECharts instance on `el` for the component's lifetime: made on mount, resized with its
 * element, disposed on unmount. Returns the instance, null before mount and after unmount. The chart
 * types a component draws are registered by what it imports (lib/echarts.ts, lib/echarts-eval.ts).
 */
export function useEChart(
  el: Ref<HTMLElement | undefined>,
  hooks: EChartHooks,
): () => echarts.ECharts | null {
  let chart: echarts.ECharts | null = null;
  let observer: ResizeObserver | null = null;

  onMounted(() => {
    chart = echarts.init(el.value!, null, { renderer: 'canvas' });
    hooks.setup?.(chart);
    observer = new ResizeObserver(() => {
      chart?.resize();
      if (hooks.redrawOnResize) hooks.draw();
    });
    observer.observe(el.value!);
    hooks.draw();
  });

  onBeforeUnmount(() => {
    observer?.disconnect();
    chart?.dispose();
    chart = null;
  });

  return () => chart;
}
