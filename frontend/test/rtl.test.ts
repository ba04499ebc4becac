import { describe, expect, it } from 'vitest';
import { applyDocumentDirection, dirFor, forwardArrow, horizontalBarAxes, legendOption, startSide, timeSeriesAxes } from '../src/lib/rtl';
import { MESSAGES } from '../src/lib/i18n';

describe('RTL helpers', () => {
  it('maps languages to directions', () => {
    expect(dirFor('ar')).toBe('rtl');
    expect(dirFor('en')).toBe('ltr');
    expect(startSide('ar')).toBe('right');
    expect(forwardArrow('ar')).toBe('‹');
  });
  it('sets lang and dir on <html>', () => {
    const doc = { documentElement: { lang: '', dir: '' } } as unknown as Document;
    applyDocumentDirection(doc, 'ar');
    expect(doc.documentElement.lang).toBe('ar');
    expect(doc.documentElement.dir).toBe('rtl');
    applyDocumentDirection(doc, 'en');
    expect(doc.documentElement.dir).toBe('ltr');
  });
  it('mirrors bar charts in Arabic but keeps time left to right', () => {
    expect(horizontalBarAxes('ar').xAxis.inverse).toBe(true);
    expect(horizontalBarAxes('ar').yAxis.position).toBe('right');
    expect(horizontalBarAxes('en').xAxis.inverse).toBe(false);
    expect(timeSeriesAxes('ar').xAxis.inverse).toBe(false);
    expect(timeSeriesAxes('ar').yAxis.position).toBe('right');
    expect(legendOption('ar')).toMatchObject({ right: 0, align: 'right' });
    expect(legendOption('en')).toMatchObject({ left: 0, align: 'left' });
  });
});

describe('translations', () => {
  it('are complete in both languages', () => {
    const keys = Object.keys(MESSAGES.en).sort();
    expect(Object.keys(MESSAGES.ar).sort()).toEqual(keys);
    for (const k of keys) {
      const ar = MESSAGES.ar[k as keyof typeof MESSAGES.ar];
      expect(ar.trim(), k).not.toBe('');
      // Arabic texts carry Arabic script, except symbols and proper names kept as such.
      if (!['digitsLatin', 'digitsArabic', 'switchLang'].includes(k)) expect(ar, k).toMatch(/[\u0600-\u06ff]/);
    }
  });
});
