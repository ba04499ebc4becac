// ECharts option builders shared by the views. Values here are display
// floats; exact figures are in the tables next to the charts.
import './extra';
import { formatAxis, type Lang, type NumOpts } from '../lib/format';
import { gridOption, horizontalBarAxes, isRtl, legendOption, sankeyOrient, timeSeriesAxes } from '../lib/rtl';

export interface Node {
  name: string;
  value: number;
  key: string;
  children?: Node[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function barOption(
  items: { name: string; value: number; color?: string }[],
  o: NumOpts & { description: string; markLine?: { value: number; label: string }[]; valueFormat?: (v: number) => string },
) {
  const { xAxis, yAxis } = horizontalBarAxes(o.lang);
  const fmt = o.valueFormat ?? ((v: number) => formatAxis(v, o));
  const longest = Math.min(220, Math.max(60, ...items.map((i) => i.name.length * 7)));
  return {
    aria: { enabled: true, label: { description: o.description } },
    grid: gridOption(o.lang, longest + 12, 16),
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${esc(p.name)}<br/>${esc(fmt(p.value))}` },
    xAxis: { ...xAxis, axisLabel: { formatter: fmt, hideOverlap: true } },
    yAxis: {
      ...yAxis,
      data: items.map((i) => i.name),
      axisLabel: { width: longest, overflow: 'truncate', align: isRtl(o.lang) ? 'left' : 'right' },
    },
    series: [
      {
        type: 'bar',
        data: items.map((i) => ({ value: i.value, itemStyle: i.color ? { color: i.color } : undefined })),
        barMaxWidth: 28,
        markLine: o.markLine
          ? {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#1b1f24', type: 'dashed' },
              label: { formatter: '{b}', position: 'start' },
              data: o.markLine.map((m) => ({ xAxis: m.value, name: m.label })),
            }
          : undefined,
      },
    ],
  };
}

export function treemapOption(nodes: Node[], o: NumOpts & { description: string; tooltip: (n: Node) => string }) {
  return {
    aria: { enabled: true, label: { description: o.description } },
    tooltip: { formatter: (p: { data: Node }) => o.tooltip(p.data) },
    series: [
      {
        type: 'treemap',
        data: nodes,
        roam: false,
        nodeClick: 'zoomToNode',
        breadcrumb: { show: true, bottom: 0, [isRtl(o.lang) ? 'right' : 'left']: 0 },
        width: '100%',
        height: '88%',
        top: 0,
        label: { show: true, formatter: (p: { name: string; value: number }) => `${p.name}\n${formatAxis(p.value, o)}`, lineHeight: 18, overflow: 'break' },
        upperLabel: { show: true, height: 22, color: '#fff' },
        itemStyle: { borderColor: '#fff', borderWidth: 1, gapWidth: 1 },
        levels: [{ itemStyle: { borderWidth: 3, gapWidth: 3 } }, { colorSaturation: [0.35, 0.55] }],
      },
    ],
  };
}

export function sunburstOption(nodes: Node[], o: NumOpts & { description: string; tooltip: (n: Node) => string }) {
  return {
    aria: { enabled: true, label: { description: o.description } },
    tooltip: { formatter: (p: { data: Node }) => o.tooltip(p.data) },
    series: [
      {
        type: 'sunburst',
        data: nodes,
        radius: ['12%', '95%'],
        sort: undefined,
        label: { rotate: 'radial', minAngle: 8, overflow: 'truncate', width: 90 },
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
      },
    ],
  };
}

/** Flows from the first grouping to the second; mirrored in RTL (see lib/rtl). */
export function sankeyOption(
  links: { from: string; to: string; value: number }[],
  o: NumOpts & { description: string },
) {
  const rtl = isRtl(o.lang);
  const names = new Set<string>();
  for (const l of links) {
    names.add(l.from);
    names.add(l.to);
  }
  return {
    aria: { enabled: true, label: { description: o.description } },
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${esc(p.name)}<br/>${esc(formatAxis(p.value, o))}` },
    series: [
      {
        type: 'sankey',
        ...sankeyOrient(o.lang),
        data: [...names].map((name) => ({ name })),
        links: links.map((l) => (rtl ? { source: l.to, target: l.from, value: l.value } : { source: l.from, target: l.to, value: l.value })),
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5 },
        label: { fontSize: 12 },
        // The outer column's labels go inside the chart, not off its edge.
        levels: [{ depth: 1, label: { position: 'left' } }],
      },
    ],
  };
}

export function lineOption(
  categories: string[],
  series: { name: string; data: (number | null)[] }[],
  o: NumOpts & { description: string; lang: Lang },
) {
  const { xAxis, yAxis } = timeSeriesAxes(o.lang);
  return {
    aria: { enabled: true, label: { description: o.description } },
    legend: { ...legendOption(o.lang), data: series.map((s) => s.name), show: series.length > 1 },
    grid: gridOption(o.lang, 70, series.length > 1 ? 48 : 24),
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatAxis(v, o) },
    xAxis: { ...xAxis, data: categories },
    yAxis: { ...yAxis, axisLabel: { formatter: (v: number) => formatAxis(v, o) } },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, symbolSize: 7, connectNulls: false })),
  };
}
