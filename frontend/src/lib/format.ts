// Number and money formatting for Arabic and English.
//
// Money arrives from the API as exact decimal strings. Text figures are
// formatted from those strings directly (grouping, rounding to the
// currency's minor units, digit shaping), never through float64: the
// locale only supplies the symbols (digits, group and decimal separators,
// minus sign, currency sign and its position), read once from
// Intl.NumberFormat.formatToParts.
import {
  absDecimal,
  intDigits,
  isNegative,
  parseDecimal,
  roundDecimal,
  shiftDecimal,
} from './decimal';

export type Lang = 'ar' | 'en';
export type Digits = 'latn' | 'arab';

export interface NumOpts {
  lang: Lang;
  digits: Digits;
}

/** ISO 4217 currencies with three minor digits (dinars, rials). */
const THREE_DECIMALS = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND', 'LYD', 'IQD']);

export function localeFor(o: NumOpts): string {
  return `${o.lang}-u-nu-${o.digits}`;
}

/** The currency's own number of decimals (3 for BHD, JOD, KWD, OMR, TND, LYD, IQD). */
export function currencyDecimals(currency: string): number {
  const c = (currency || '').toUpperCase();
  if (THREE_DECIMALS.has(c)) return 3;
  if (!c) return 2;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

interface Symbols {
  digits: string[];
  group: string;
  decimal: string;
  minus: string;
  percent: Intl.NumberFormatPart[];
  percentNeg: Intl.NumberFormatPart[];
}

const symbolCache = new Map<string, Symbols>();

function symbols(o: NumOpts): Symbols {
  const loc = localeFor(o);
  let s = symbolCache.get(loc);
  if (s) return s;
  const nf = new Intl.NumberFormat(loc, { useGrouping: true, minimumFractionDigits: 1 });
  const parts = nf.formatToParts(-1234567.5);
  const digitFmt = new Intl.NumberFormat(loc, { useGrouping: false });
  s = {
    digits: Array.from({ length: 10 }, (_, i) => digitFmt.format(i)),
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    // Everything before the digits: the minus sign with its bidi marks.
    minus: parts.slice(0, parts.findIndex((p) => p.type === 'integer')).map((p) => p.value).join('') || '-',
    percent: new Intl.NumberFormat(loc, { style: 'percent' }).formatToParts(1),
    percentNeg: new Intl.NumberFormat(loc, { style: 'percent' }).formatToParts(-1),
  };
  symbolCache.set(loc, s);
  return s;
}

function shapeDigits(ascii: string, sym: Symbols): string {
  return ascii.replace(/[0-9]/g, (d) => sym.digits[d.charCodeAt(0) - 48]);
}

/** Groups an unsigned ASCII digit string in threes with the locale's separator. */
function groupInt(int: string, sym: Symbols): string {
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += sym.group;
    out += int[i];
  }
  return shapeDigits(out, sym);
}

/** Unsigned number body: grouped integer part, decimal separator, fraction. */
function body(absStr: string, sym: Symbols): string {
  const p = parseDecimal(absStr);
  const int = groupInt(p.int, sym);
  return p.frac ? int + sym.decimal + shapeDigits(p.frac, sym) : int;
}

/**
 * Formats a decimal string exactly, grouping digits and rounding (half away
 * from zero) to `decimals` fraction digits. `decimals` undefined keeps the
 * string's own fraction digits.
 */
export function formatDecimal(s: string, o: NumOpts & { decimals?: number }): string {
  const sym = symbols(o);
  const r = o.decimals === undefined ? s : roundDecimal(s, o.decimals);
  return token(isNegative(r), body(absDecimal(r), sym), o);
}

const templateCache = new Map<string, Intl.NumberFormatPart[]>();

function currencyTemplate(o: NumOpts, currency: string, neg: boolean): Intl.NumberFormatPart[] {
  const key = `${localeFor(o)}|${currency}|${neg}`;
  let t = templateCache.get(key);
  if (!t) {
    try {
      t = new Intl.NumberFormat(localeFor(o), { style: 'currency', currency, currencyDisplay: 'symbol' })
        .formatToParts(neg ? -1 : 1);
    } catch {
      t = [
        ...(neg ? [{ type: 'minusSign', value: symbols(o).minus } as Intl.NumberFormatPart] : []),
        { type: 'integer', value: '1' },
        { type: 'literal', value: ' ' },
        { type: 'currency', value: currency },
      ];
    }
    templateCache.set(key, t);
  }
  return t;
}

const BIDI_ONLY = /^[\u200e\u200f\u061c]+$/;
const LRI = '\u2066';
const RLI = '\u2067';
const PDI = '\u2069';

/**
 * The signed number as one bidi unit. In Arabic the sign and digits are
 * isolated so that the minus stays with the number whatever surrounds it:
 * left-to-right for Latin digits ("-1,234"), right-to-left for
 * Arabic-Indic digits, where the sign leads on the right as Intl does.
 */
function token(neg: boolean, num: string, o: NumOpts): string {
  const signed = (neg ? '-' : '') + num;
  if (o.lang !== 'ar') return neg ? symbols(o).minus + num : num;
  return (o.digits === 'arab' ? RLI : LRI) + signed + PDI;
}

/**
 * Puts the number where the template's number goes. In Arabic the
 * template's own minus sign and bidi marks are dropped: token() carries them.
 */
function fill(template: Intl.NumberFormatPart[], num: string, neg: boolean, o: NumOpts): string {
  let out = '';
  let placed = false;
  const ar = o.lang === 'ar';
  for (const part of template) {
    if (part.type === 'integer' || part.type === 'group' || part.type === 'decimal' || part.type === 'fraction') {
      if (!placed) out += ar ? token(neg, num, o) : num;
      placed = true;
    } else if (ar && (part.type === 'minusSign' || (part.type === 'literal' && BIDI_ONLY.test(part.value)))) {
      continue;
    } else {
      out += part.value;
    }
  }
  return out;
}

/** Exact money: "BHD 1,234,567.890" / "‏١٬٢٣٤٬٥٦٧٫٨٩٠ د.ب.‏" from "1234567.89". */
export function formatMoney(s: string, currency: string, o: NumOpts & { decimals?: number }): string {
  const decimals = o.decimals ?? currencyDecimals(currency);
  const r = roundDecimal(s, decimals);
  const neg = isNegative(r);
  const num = body(absDecimal(r), symbols(o));
  return currency ? fill(currencyTemplate(o, currency, neg), num, neg, o) : token(neg, num, o);
}

const SCALE_WORDS: Record<Lang, [number, string][]> = {
  en: [
    [12, 'trillion'],
    [9, 'billion'],
    [6, 'million'],
  ],
  ar: [
    [12, 'تريليون'],
    [9, 'مليار'],
    [6, 'مليون'],
  ],
};

/**
 * A large decimal made readable, still without floats: "1.23 billion",
 * "٤٥٦ مليون". Three significant digits, trailing zeros dropped. Below a
 * million the number is printed in full with `smallDecimals` decimals.
 */
export function formatCompactDecimal(s: string, o: NumOpts & { smallDecimals?: number }): string {
  const sym = symbols(o);
  const abs = absDecimal(s);
  const digits = intDigits(abs);
  for (const [exp, word] of SCALE_WORDS[o.lang]) {
    if (digits > exp) {
      const scaled = shiftDecimal(abs, -exp);
      let r = roundDecimal(scaled, Math.max(0, 3 - intDigits(scaled)));
      if (r.includes('.')) r = r.replace(/0+$/, '').replace(/\.$/, '');
      return token(isNegative(s), body(r, sym), o) + ' ' + word;
    }
  }
  return formatDecimal(s, { ...o, decimals: o.smallDecimals ?? 0 });
}

/** Compact money: "BHD 1.23 billion" / "١٫٢٣ مليار د.ب.‏". */
export function formatCompactMoney(s: string, currency: string, o: NumOpts): string {
  const abs = absDecimal(s);
  if (intDigits(abs) <= 6) return formatMoney(s, currency, o);
  const neg = isNegative(s);
  if (!currency) return formatCompactDecimal(s, o);
  return fill(currencyTemplate(o, currency, neg), stripIsolates(formatCompactDecimal(abs, o)), neg, o);
}

/** A fraction ("0.953421") as a percentage ("95.3%"), exactly. */
export function formatRate(fraction: string, o: NumOpts & { decimals?: number }): string {
  const pct = roundDecimal(shiftDecimal(fraction, 2), o.decimals ?? 1);
  const sym = symbols(o);
  const neg = isNegative(pct);
  const num = body(absDecimal(pct), sym);
  return fill(neg ? sym.percentNeg : sym.percent, num, neg, o);
}

/** A float percentage (already ×100 or not) for derived figures such as year-on-year change. */
export function formatPercentNumber(fraction: number, o: NumOpts, signed = false): string {
  if (!Number.isFinite(fraction)) return '—';
  return new Intl.NumberFormat(localeFor(o), {
    style: 'percent',
    maximumFractionDigits: 1,
    minimumFractionDigits: 1,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(fraction);
}

/** Counts (int64 arrives as bigint). */
export function formatInt(n: number | bigint, o: NumOpts): string {
  return new Intl.NumberFormat(localeFor(o), { maximumFractionDigits: 0 }).format(n);
}

/** Chart axes and tooltips (display only, float is fine). */
export function formatAxis(n: number, o: NumOpts): string {
  return new Intl.NumberFormat(localeFor(o), { notation: 'compact', compactDisplay: 'short', maximumFractionDigits: 1 })
    .format(n);
}

/** A year in the chosen digits, without grouping. */
export function formatYear(y: number, o: NumOpts): string {
  return new Intl.NumberFormat(localeFor(o), { useGrouping: false }).format(y);
}

function stripIsolates(s: string): string {
  return s.replace(/[\u2066-\u2069]/g, '');
}
