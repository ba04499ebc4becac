import { describe, expect, it } from 'vitest';
import {
  currencyDecimals,
  formatCompactDecimal,
  formatCompactMoney,
  formatDecimal,
  formatMoney,
  formatRate,
} from '../src/lib/format';

const en = { lang: 'en', digits: 'latn' } as const;
const arLatn = { lang: 'ar', digits: 'latn' } as const;
const arArab = { lang: 'ar', digits: 'arab' } as const;
// Strip bidi marks to compare the visible text.
const vis = (s: string) => s.replace(/[\u200e\u200f\u061c\u2066-\u2069]/g, '').replace(/\u00a0/g, ' ');

describe('currency decimals', () => {
  it('knows the three-decimal dinars and rials', () => {
    for (const c of ['BHD', 'JOD', 'KWD', 'OMR', 'TND', 'LYD', 'IQD']) expect(currencyDecimals(c)).toBe(3);
    expect(currencyDecimals('EGP')).toBe(2);
    expect(currencyDecimals('USD')).toBe(2);
    expect(currencyDecimals('JPY')).toBe(0);
  });
});

describe('formatMoney (exact, from decimal strings)', () => {
  it('formats dinars with three decimals in English', () => {
    expect(vis(formatMoney('1234567.89', 'BHD', en))).toBe('BHD 1,234,567.890');
    expect(vis(formatMoney('-0.0005', 'KWD', en))).toBe('-KWD 0.001');
    expect(vis(formatMoney('12', 'JOD', en))).toBe('JOD 12.000');
  });
  it('never loses precision beyond float64', () => {
    expect(vis(formatMoney('123456789012345678.125', 'OMR', en))).toBe('OMR 123,456,789,012,345,678.125');
    expect(vis(formatMoney('9007199254740993', 'USD', en))).toBe('$9,007,199,254,740,993.00');
  });
  it('formats Arabic with Latin digits', () => {
    expect(vis(formatMoney('1234567.89', 'BHD', arLatn))).toBe('1,234,567.890 د.ب.');
  });
  it('formats Arabic-Indic digits', () => {
    expect(vis(formatMoney('1234567.89', 'BHD', arArab))).toBe('١٬٢٣٤٬٥٦٧٫٨٩٠ د.ب.');
    expect(vis(formatMoney('-5.5', 'TND', arArab))).toContain('-٥٫٥٠٠');
    // The sign and digits form one isolated bidi unit in Arabic.
    expect(formatMoney('-5.5', 'TND', arLatn)).toMatch(/^\u2066-5\.500\u2069/);
  });
  it('applies two decimals elsewhere', () => {
    expect(vis(formatMoney('1000', 'EGP', en))).toMatch(/1,000\.00$/);
  });
});

describe('formatDecimal', () => {
  it('groups and keeps or rounds decimals', () => {
    expect(formatDecimal('1234567.125', { ...en })).toBe('1,234,567.125');
    expect(formatDecimal('1234567.125', { ...en, decimals: 0 })).toBe('1,234,567');
    expect(formatDecimal('-999.9995', { ...en, decimals: 3 })).toBe('-1,000.000');
    expect(vis(formatDecimal('0', { ...arArab }))).toBe('٠');
    expect(formatDecimal('-12.5', { ...arLatn })).toBe('\u2066-12.5\u2069');
  });
});

describe('compact (million / billion, مليون / مليار)', () => {
  it('is readable in English', () => {
    expect(formatCompactDecimal('1234567890.123', en)).toBe('1.23 billion');
    expect(formatCompactDecimal('456000000', en)).toBe('456 million');
    expect(formatCompactDecimal('12500000', en)).toBe('12.5 million');
    expect(formatCompactDecimal('999999', en)).toBe('999,999');
    expect(formatCompactDecimal('-2000000000000', en)).toBe('-2 trillion');
  });
  it('is readable in Arabic', () => {
    expect(vis(formatCompactDecimal('1234567890.123', arArab))).toBe('١٫٢٣ مليار');
    expect(vis(formatCompactDecimal('456000000', arLatn))).toBe('456 مليون');
  });
  it('keeps the currency', () => {
    expect(vis(formatCompactMoney('1234567890.123', 'BHD', en))).toBe('BHD 1.23 billion');
    expect(vis(formatCompactMoney('1234567890.123', 'BHD', arArab))).toBe('١٫٢٣ مليار د.ب.');
    expect(vis(formatCompactMoney('1234.5', 'BHD', en))).toBe('BHD 1,234.500');
  });
});

describe('rates', () => {
  it('turns fractions into percentages exactly', () => {
    expect(formatRate('0.953421', en)).toBe('95.3%');
    expect(formatRate('1.25', { ...en, decimals: 0 })).toBe('125%');
    expect(formatRate('-0.05', en)).toBe('-5.0%');
    expect(vis(formatRate('0.5', arArab))).toBe('٥٠٫٠٪');
  });
});
