/**
 * A run's curves drawn as PNG images for its report, off screen: each on a canvas of its own, on white
 * (the report is a white page whatever the app's theme), its title in the image so a chart file read
 * alone still says what it shows.
 */
import { TitleComponent } from 'echarts/components';
import { echarts } from './echarts';
import type { Series } from './series';

echarts.use([TitleComponent]);

export interface ChartImageInput {
  title: string;
  colour: string;
  series: Series;
  /** Formats a y value as the metric's tables do. */
  format: (v: number) => string;
  /** The x axis's name ("Step"). */
  xName: string;
}

const width = 640;
const height = 260;

/** The curve against steps as a PNG data URL, drawn at twice its size for sharp printing. */
export function chartImage(input: ChartImageInput): string {
  const el = document.createElement('div');
  const chart = echarts.init(el, null, { renderer: 'canvas', width, height });
  try {
    const { series } = input;
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'system-ui, sans-serif' },
      title: {
        text: input.title,
        left: 10,
        top: 6,
        textStyle: { fontSize: 13, fontWeight: 600, color: '#1f2328' },
      },
      grid: { left: 16, right: 24, top: 40, bottom: 30, containLabel: true },
      xAxis: {
        type: 'value',
        name: input.xName,
        nameLocation: 'middle',
        nameGap: 24,
        nameTextStyle: { color: '#656d76', fontSize: 11 },
        min: 'dataMin',
        max: 'dataMax',
        axisLine: { lineStyle: { color: '#d0d7de' } },
        axisLabel: { color: '#656d76', fontSize: 11, hideOverlap: true },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        scale: true,
        axisLabel: { color: '#656d76', fontSize: 11, formatter: input.format },
        splitLine: { lineStyle: { color: '#eef1f4' } },
      },
      series: [
        {
          type: 'line',
          data: series.step.map((s, i) => [s, series.value[i]]),
          showSymbol: series.step.length <= 24,
          symbolSize: 5,
          lineStyle: { width: 2, color: input.colour },
          itemStyle: { color: input.colour },
        },
      ],
    });
    return chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
  } finally {
    chart.dispose();
  }
}
