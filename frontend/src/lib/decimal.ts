// Exact decimal arithmetic over the API's decimal strings ("1234.500",
// "-0.25"). Money never goes through float64 here: values are parsed into
// BigInt scaled integers, added or rounded exactly, and printed back.

export interface Parsed {
  neg: boolean;
  int: string; // digits, no leading zeros except "0"
  frac: string; // digits, may be ""
}

const DEC_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Parses a plain decimal string. Throws on anything else (no exponents). */
export function parseDecimal(s: string): Parsed {
  const m = DEC_RE.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new Error(`not a decimal: ${JSON.stringify(s)}`);
  }
  const int = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = m[3] ?? '';
  const zero = /^0*$/.test(int) && /^0*$/.test(frac);
  return { neg: m[1] === '-' && !zero, int, frac };
}

export function isDecimal(s: string | undefined | null): s is string {
  if (s == null || s === '') return false;
  try {
    parseDecimal(s);
    return true;
  } catch {
    return false;
  }
}

/** Scale (number of fraction digits) of a decimal string. */
export function scaleOf(s: string): number {
  return parseDecimal(s).frac.length;
}

/** Decimal string → BigInt scaled by 10^scale, rounding half away from zero. */
export function toScaled(s: string, scale: number): bigint {
  const p = parseDecimal(s);
  let frac = p.frac;
  let roundUp = false;
  if (frac.length > scale) {
    roundUp = frac.charCodeAt(scale) >= 53; // '5'
    frac = frac.slice(0, scale);
  } else {
    frac = frac.padEnd(scale, '0');
  }
  let v = BigInt(p.int + frac);
  if (roundUp) v += 1n;
  return p.neg ? -v : v;
}

/** BigInt scaled by 10^scale → decimal string with exactly `scale` fraction digits. */
export function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
  }
  return (neg && /[1-9]/.test(digits) ? '-' : '') + digits;
}

function commonScale(...xs: string[]): number {
  return Math.max(0, ...xs.map(scaleOf));
}

export function addDecimal(...xs: string[]): string {
  const sc = commonScale(...xs);
  return fromScaled(xs.reduce((acc, x) => acc + toScaled(x, sc), 0n), sc);
}

export function subDecimal(a: string, b: string): string {
  const sc = commonScale(a, b);
  return fromScaled(toScaled(a, sc) - toScaled(b, sc), sc);
}

export function cmpDecimal(a: string, b: string): number {
  const sc = commonScale(a, b);
  const d = toScaled(a, sc) - toScaled(b, sc);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Rounds to `decimals` fraction digits (half away from zero), padding with zeros. */
export function roundDecimal(s: string, decimals: number): string {
  return fromScaled(toScaled(s, decimals), decimals);
}

/** Multiplies by 10^n exactly (n may be negative): a move of the decimal point. */
export function shiftDecimal(s: string, n: number): string {
  const p = parseDecimal(s);
  let digits = p.int + p.frac;
  let point = p.int.length + n;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point);
  const out = frac ? `${int}.${frac}` : int;
  return p.neg ? '-' + out : out;
}

export function absDecimal(s: string): string {
  return s.trim().replace(/^[+-]/, '');
}

export function isNegative(s: string): boolean {
  return parseDecimal(s).neg;
}

/** Number of integer digits of |s| (0 for |s| < 1). */
export function intDigits(s: string): number {
  const p = parseDecimal(s);
  return p.int === '0' ? 0 : p.int.length;
}

/** For charts and percentages only: never for sums shown as text. */
export function toNumber(s: string | undefined | null): number {
  if (!s) return NaN;
  return Number(s);
}
