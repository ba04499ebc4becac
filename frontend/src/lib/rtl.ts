// Right-to-left helpers. The page mirrors through CSS logical properties
// once <html dir> is set; charts are drawn on a canvas, so their options are
// mirrored here:
//  - category charts (bars by ministry, execution rates) mirror fully: the
//    value axis grows from the right, labels sit on the right;
//  - time series keep chronological order left to right (as Arabic
//    financial press does) but move the value axis and legend to the right;
//  - treemap/sunburst/sankey are not directional except for the legend and
//    Sankey's flow, which runs right to left in Arabic.
import type { Lang } from './format';

export type Dir = 'rtl' | 'ltr';

export function dirFor(lang: Lang): Dir {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

export function isRtl(lang: Lang): boolean {
  return dirFor(lang) === 'rtl';
}

/** The physical side where a line starts ("left" in English, "right" in Arabic). */
export function startSide(lang: Lang): 'left' | 'right' {
  return isRtl(lang) ? 'right' : 'left';
}

export function endSide(lang: Lang): 'left' | 'right' {
  return isRtl(lang) ? 'left' : 'right';
}

/** Applies lang and dir to the document root. */
export function applyDocumentDirection(doc: Document, lang: Lang): void {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = dirFor(lang);
}

/** Legend placement: at the top, starting from the reading side. */
export function legendOption(lang: Lang): Record<string, unknown> {
  return { top: 0, [startSide(lang)]: 0, align: isRtl(lang) ? 'right' : 'left', type: 'scroll' };
}

/** Grid margins with room for labels on the reading side. */
export function gridOption(lang: Lang, labelRoom: number, top = 32): Record<string, unknown> {
  return { top, bottom: 24, [startSide(lang)]: labelRoom, [endSide(lang)]: 24, containLabel: false };
}

/**
 * Axes for a horizontal bar chart (categories down the side, values across).
 * In RTL the value axis is inverted so bars grow from the right and the
 * category labels sit on the right.
 */
export function horizontalBarAxes(lang: Lang): { xAxis: Record<string, unknown>; yAxis: Record<string, unknown> } {
  const rtl = isRtl(lang);
  return {
    xAxis: { type: 'value', inverse: rtl, position: 'bottom' },
    yAxis: { type: 'category', inverse: true, position: rtl ? 'right' : 'left' },
  };
}

/** Axes for a time series: chronological left to right, value axis on the reading side. */
export function timeSeriesAxes(lang: Lang): { xAxis: Record<string, unknown>; yAxis: Record<string, unknown> } {
  return {
    xAxis: { type: 'category', inverse: false, boundaryGap: false },
    yAxis: { type: 'value', position: startSide(lang) },
  };
}

/** Sankey flows from the reading side. */
export function sankeyOrient(lang: Lang): { orient: 'horizontal'; nodeAlign: 'left' | 'right'; left: string; right: string } {
  // ECharts has no RTL sankey; the flow is mirrored by swapping source and
  // target columns in the caller and aligning nodes to the right.
  return { orient: 'horizontal', nodeAlign: isRtl(lang) ? 'right' : 'left', left: '5%', right: '5%' };
}

/** Arrow for "next" in breadcrumbs, pointing along the reading direction. */
export function forwardArrow(lang: Lang): string {
  return isRtl(lang) ? '‹' : '›';
}
