import { describe, expect, it } from 'vitest';
import { evaluateFormula } from './formula';

describe('evaluateFormula', () => {
  it('computes arithmetic and sub-table aggregates like the server', () => {
    expect(evaluateFormula('area * price', { area: 2.5, price: 800 })).toBe(2000);
    const crops = [{ area: 1.5, loss: 10 }, { area: 2 }, { loss: 5 }];
    expect(evaluateFormula('SUM(crops.area)', { crops })).toBe(3.5);
    expect(evaluateFormula('COUNT(crops)', { crops })).toBe(3);
    expect(evaluateFormula('AVG(crops.loss)', { crops })).toBe(7.5);
    expect(evaluateFormula('ROUND(a / 3, 2)', { a: 1 })).toBe(0.33);
    expect(evaluateFormula('-(a + 1) * 2', { a: 1 })).toBe(-4);
  });

  it('is blank when an input is missing, on division by zero, or when unreadable', () => {
    expect(evaluateFormula('a * b', { a: 1 })).toBeNull();
    expect(evaluateFormula('a / b', { a: 1, b: 0 })).toBeNull();
    expect(evaluateFormula('a +', { a: 1 })).toBeNull();
    expect(evaluateFormula("__import__('os')", {})).toBeNull();
  });
});
