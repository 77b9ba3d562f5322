/**
 * A view's charts that zoom together and share a crosshair (the run view's charts, Compare's curves).
 * ECharts' own `connect` syncs zoom as a percentage of each chart's range, which misaligns charts whose
 * data spans differ (kNN starts at the first evaluation, the loss at step 1); this syncs x values
 * instead, in each chart's base unit (seconds, images: a chart may show minutes or thousands).
 */
import { ref, type Ref } from 'vue';
import type { echarts } from './echarts';

/** The zoomed x range, in the axis's base unit. */
export interface XWindow {
  from: number;
  to: number;
}

interface Member {
  chart: echarts.ECharts;
  /** Base units per displayed unit on the chart's x axis (60 where it shows minutes). */
  divisor: () => number;
}

interface Group {
  members: Set<Member>;
  window: XWindow | null;
  zoomed: Ref<boolean>;
}

/** By name; a view's group outlives its charts (a curve hidden and shown again keeps the zoom). */
const groups = new Map<string, Group>();
/** Set while this module dispatches to other charts, so their events are not synced back. */
let syncing = false;

function groupOf(name: string): Group {
  let g = groups.get(name);
  if (!g) groups.set(name, (g = { members: new Set(), window: null, zoomed: ref(false) }));
  return g;
}

function others(g: Group, self: Member, act: (m: Member) => void): void {
  syncing = true;
  try {
    for (const m of g.members) if (m !== self && !m.chart.isDisposed()) act(m);
  } finally {
    syncing = false;
  }
}

/**
 * Whether a chart is being drawn as a follower of another's pointer: then it shows the crosshair
 * without a tooltip (one tooltip per view, under the pointer: one in every chart would hide the curves).
 */
export function isSyncing(): boolean {
  return syncing;
}

/** The zoomed range of a group's charts (null: not zoomed), for a chart drawing itself from scratch. */
export function groupWindow(name: string): XWindow | null {
  return groups.get(name)?.window ?? null;
}

interface ModelWithZoom {
  getComponent(
    type: string,
    index: number,
  ):
    | { getPercentRange(): [number, number]; getValueRange(dim: string, i: number): [number, number] }
    | undefined;
}

/**
 * The x range a chart is zoomed to, in its axis's unit; null when it shows its whole range. Read from
 * the zoom's model: not public API, but the only way to the values (the zoom event carries percents).
 */
export function zoomWindow(chart: echarts.ECharts): XWindow | null {
  const model = (chart as unknown as { getModel(): ModelWithZoom }).getModel().getComponent('dataZoom', 0);
  if (!model) return null;
  const [start, end] = model.getPercentRange();
  if (start <= 0 && end >= 100) return null;
  const [from, to] = model.getValueRange('x', 0);
  return { from, to };
}

/**
 * Joins a chart to a group: zooming it zooms the others to the same x range, and its crosshair shows at
 * the same x on the others (its tooltip only on itself: see isSyncing). Returns the function that leaves the group.
 */
export function joinChartGroup(name: string, chart: echarts.ECharts, divisor: () => number): () => void {
  const g = groupOf(name);
  const self: Member = { chart, divisor };
  g.members.add(self);

  const onZoom = () => {
    if (syncing) return;
    const shown = zoomWindow(chart);
    g.window = shown && { from: shown.from * divisor(), to: shown.to * divisor() };
    g.zoomed.value = g.window !== null;
    const window = g.window;
    others(g, self, (m) =>
      m.chart.dispatchAction(
        window
          ? { type: 'dataZoom', startValue: window.from / m.divisor(), endValue: window.to / m.divisor() }
          : { type: 'dataZoom', start: 0, end: 100 },
      ),
    );
  };

  const onPointer = (event: unknown) => {
    if (syncing) return;
    const info = (event as { axesInfo?: { axisDim: string; value: number }[] }).axesInfo ?? [];
    const x = info.find((a) => a.axisDim === 'x')?.value;
    if (x === undefined) return;
    const base = x * divisor();
    others(g, self, (m) => {
      const px = m.chart.convertToPixel({ xAxisIndex: 0 }, base / m.divisor());
      if (typeof px !== 'number' || !Number.isFinite(px) || m.chart.getWidth() === 0) return;
      m.chart.dispatchAction({
        type: 'updateAxisPointer',
        currTrigger: 'mousemove',
        x: px,
        y: m.chart.getHeight() / 2,
      });
    });
  };

  const onLeave = () => {
    others(g, self, (m) => {
      m.chart.dispatchAction({ type: 'updateAxisPointer', currTrigger: 'leave' });
      m.chart.dispatchAction({ type: 'hideTip' });
    });
  };

  chart.on('datazoom', onZoom);
  chart.on('updateAxisPointer', onPointer);
  chart.getZr().on('globalout', onLeave);

  return () => {
    g.members.delete(self);
    if (!chart.isDisposed()) {
      chart.off('datazoom', onZoom);
      chart.off('updateAxisPointer', onPointer);
      chart.getZr().off('globalout', onLeave);
    }
  };
}

/** Whether a group is zoomed (for its reset button), and the reset: every chart back to its whole range. */
export function useChartGroup(name: string): { zoomed: Ref<boolean>; reset: () => void } {
  return {
    zoomed: groupOf(name).zoomed,
    reset: () => resetGroupZoom(name),
  };
}

export function resetGroupZoom(name: string): void {
  const g = groupOf(name);
  g.window = null;
  g.zoomed.value = false;
  syncing = true;
  try {
    for (const m of g.members)
      if (!m.chart.isDisposed()) m.chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
  } finally {
    syncing = false;
  }
}
