import { BarChart, ScatterChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts, palette } from './echarts';

// The evaluation views' charts on top of the line charts lib/echarts.ts registers.
echarts.use([ScatterChart, BarChart, MarkLineComponent]);

export { echarts, palette };

/** The colour of class `label` on the embedding map and in the retrieval grid. */
export function classColour(label: number): string {
  return label < 0 ? '#8a94a3' : palette[label % palette.length]!;
}

/** A CSS custom property of the current theme, with a fallback. */
export function themeVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Axis, grid and tooltip colours of the current theme, for charts that are not MetricChart. */
export function themeColours() {
  return {
    text: themeVar('--text', '#222'),
    muted: themeVar('--text-muted', '#666'),
    border: themeVar('--border', '#ddd'),
    grid: themeVar('--grid-line', '#eee'),
    panel: themeVar('--panel', '#fff'),
    ok: themeVar('--ok', '#1c8a4c'),
    danger: themeVar('--danger', '#d0342c'),
    warn: themeVar('--warn', '#b46a00'),
    accent: themeVar('--accent', '#2f6fed'),
    font: themeVar('--font', 'sans-serif'),
  };
}
