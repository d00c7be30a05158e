import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkAbove, checkBelow, checkClose, verdictTable } from './claims';
import { setDisplaySink, type MimeBundle } from './display';

const written: MimeBundle[] = [];
setDisplaySink({ write: (bundle) => written.push(bundle) });
const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
afterEach(() => {
  written.length = 0;
  log.mockClear();
});

describe('checkClose', () => {
  it('prints the row with measured and expected values when within tolerance', () => {
    const result = checkClose('D2', 'δ(0.01)', 0.0488, 0.04879, { rtol: 1e-3 });
    expect(result).toEqual({
      row: 'D2',
      quantity: 'δ(0.01)',
      measured: 0.0488,
      expected: 0.04879,
      tolerance: 'rtol 0.001'
    });
    expect(log).toHaveBeenCalledWith('✓ D2 δ(0.01): measured 0.0488 vs expected 0.04879 (rtol 0.001)');
  });

  it('throws an error naming the row and both values on drift, and on NaN', () => {
    expect(() => checkClose('D10', '‖W‖²', 1.05, 1, { rtol: 0.02 })).toThrow(
      'D10 drifted: D10 ‖W‖²: measured 1.05 vs expected 1 (rtol 0.02)'
    );
    expect(() => checkClose('D10', 'x', Number.NaN, 1, { atol: 1 })).toThrow(/D10 drifted.*measured NaN/);
    expect(checkClose('D4', 'x', 1e-9, 0, { atol: 1e-8 }).tolerance).toBe('atol 1e-8');
  });

  it('rejects a row id that is not a derivation id and negative tolerances', () => {
    expect(() => checkClose('2', 'x', 1, 1)).toThrow(/row must be a derivation id like "D2", got "2"/);
    expect(() => checkClose('D2', 'x', 1, 1, { rtol: -1 })).toThrow(/rtol and atol must be non-negative/);
  });
});

describe('checkBelow / checkAbove', () => {
  it('assert bounds and say which bound failed', () => {
    expect(checkBelow('D4', 'cosine', 1e-7, 1e-5).tolerance).toBe('upper bound');
    expect(() => checkBelow('D4', 'cosine', 2e-5, 1e-5)).toThrow(
      'D4 drifted: D4 cosine: measured 2.0000e-5 ≤ 1.0000e-5 (upper bound)'
    );
    expect(checkAbove('D9', 'cos', 0.999999, 1 - 1e-5).measured).toBe(0.999999);
    expect(() => checkAbove('D9', 'cos', 0.9, 0.99)).toThrow(/D9 drifted/);
  });
});

describe('verdictTable', () => {
  it('renders an HTML table with a text fallback, escaping the text', () => {
    verdictTable([
      {
        row: 'D6',
        claim: 'γ → 0',
        status: 'does not hold',
        measured: 'mean|γ| = 0.4 > 0',
        reference: 'Mehta et al. <2019>'
      },
      { row: 'D7', claim: 'Var(y) = γ²', status: 'holds with a caveat', measured: 'γ²σ²/(σ²+ε)' }
    ]);
    expect(written).toHaveLength(1);
    expect(written[0]['text/html']).toContain('does not hold');
    expect(written[0]['text/html']).toContain('Mehta et al. &lt;2019&gt;');
    expect(written[0]['text/plain']).toBe(
      'D6 — does not hold: γ → 0 | mean|γ| = 0.4 > 0 | Mehta et al. <2019>\n' +
        'D7 — holds with a caveat: Var(y) = γ² | γ²σ²/(σ²+ε)'
    );
  });

  it('rejects an empty table and an unknown status', () => {
    expect(() => verdictTable([])).toThrow(/no verdicts/);
    expect(() => verdictTable([{ row: 'D1', claim: 'x', status: 'maybe' as never, measured: '' }])).toThrow(
      /D1: unknown status "maybe"/
    );
  });
});

describe('tolerance wording', () => {
  it('writes small tolerances in exponent form', () => {
    expect(checkClose('D1', 'x', 1, 1, { rtol: 1e-5 }).tolerance).toBe('rtol 1e-5');
    expect(checkClose('D1', 'x', 1, 1).tolerance).toBe('rtol 1e-6');
  });
});
