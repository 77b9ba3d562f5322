import { ParallelChart, ScatterChart } from 'echarts/charts';
import { ParallelComponent, VisualMapContinuousComponent } from 'echarts/components';
import { echarts, palette, themeColours } from './echarts-eval';

// The sweep analysis's charts (parallel coordinates coloured by a metric, a scatter) on top of the
// line charts lib/echarts.ts registers.
echarts.use([ParallelChart, ParallelComponent, VisualMapContinuousComponent, ScatterChart]);

export { echarts, palette, themeColours };

/**
 * The colour scale of a metric, from worse to better: purple through blue and green to amber, readable
 * on light and dark panels and in order for colour-blind readers (after viridis, its pale end darkened).
 */
export const worseToBetter = ['#5b3fa6', '#3b7dc4', '#2a9d8f', '#7cb342', '#e0a000'];
