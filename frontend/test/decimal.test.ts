import { describe, expect, it } from 'vitest';
import {
  addDecimal,
  cmpDecimal,
  fromScaled,
  parseDecimal,
  roundDecimal,
  shiftDecimal,
  subDecimal,
  toScaled,
} from '../src/lib/decimal';

describe('decimal', () => {
  it('parses', () => {
    expect(parseDecimal('-0012.50')).toEqual({ neg: true, int: '12', frac: '50' });
    expect(parseDecimal('-0.000')).toEqual({ neg: false, int: '0', frac: '000' });
    expect(parseDecimal('.5')).toEqual({ neg: false, int: '0', frac: '5' });
    expect(() => parseDecimal('1e5')).toThrow();
    expect(() => parseDecimal('')).toThrow();
    expect(() => parseDecimal('abc')).toThrow();
  });
  it('adds exactly where float64 does not', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('9007199254740993.125', '1.001')).toBe('9007199254740994.126');
    expect(addDecimal('1.5', '-2.25', '0.750')).toBe('0.000');
    expect(subDecimal('100.000', '250.5')).toBe('-150.500');
  });
  it('rounds half away from zero', () => {
    expect(roundDecimal('1.2345', 3)).toBe('1.235');
    expect(roundDecimal('-1.2345', 3)).toBe('-1.235');
    expect(roundDecimal('2.5', 0)).toBe('3');
    expect(roundDecimal('7', 3)).toBe('7.000');
    expect(roundDecimal('-0.0004', 3)).toBe('0.000');
  });
  it('scales and compares', () => {
    expect(toScaled('12.3456', 2)).toBe(1235n);
    expect(fromScaled(-5n, 3)).toBe('-0.005');
    expect(cmpDecimal('10.0', '9.999')).toBe(1);
    expect(cmpDecimal('-1', '-1.000')).toBe(0);
  });
  it('shifts the point exactly', () => {
    expect(shiftDecimal('1234567890.123', -9)).toBe('1.234567890123');
    expect(shiftDecimal('0.953421', 2)).toBe('95.3421');
    expect(shiftDecimal('5', -3)).toBe('0.005');
    expect(shiftDecimal('-1.5', 3)).toBe('-1500');
  });
});
