// ECharts, imported per chart so the bundle carries only what Mizan draws.
// The first view (the overview's treemap) needs only this; the other
// charts register themselves from charts/extra.ts, loaded with the views
// that use them.
import * as echarts from 'echarts/core';
import { TreemapChart } from 'echarts/charts';
import { AriaComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([TreemapChart, AriaComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';

/** Colour-blind-safe palette; white labels on these fills meet 4.5:1. */
export const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];
