import { describe, expect, test } from 'vitest';
import { mergeRows, type Row } from '../../../bench/lib/report.js';

const row = (c: string, metric: string, n: number, median: number): Row => ({
  case: c,
  metric,
  n,
  unit: 'ms',
  subjectLabel: 'tunform',
  subject: { n: 1, median, min: median, max: median },
  target: 'report',
  pass: null,
});

const ORDER = ['drift', 'apply', 'destroy'];

describe('bench results merge by case, metric and N', () => {
  test('GIVEN drift rows at 1000 and apply rows WHEN a run measures only drift at 10000 THEN every earlier row stays and the new ones follow N=1000', () => {
    const old = [row('drift', 'time', 1000, 10), row('drift', 'peak RSS', 1000, 70), row('apply', 'time', 1000, 5)];
    const fresh = [row('drift', 'time', 10000, 99), row('drift', 'peak RSS', 10000, 130)];
    const merged = mergeRows(old, fresh, ORDER);
    expect(merged.map((r) => `${r.case}/${r.metric}/${r.n}`)).toEqual([
      'drift/time/1000',
      'drift/peak RSS/1000',
      'drift/time/10000',
      'drift/peak RSS/10000',
      'apply/time/1000',
    ]);
  });

  test('GIVEN a row measured before WHEN the same case, metric and N is measured again THEN the new row replaces it in place', () => {
    const old = [row('drift', 'time', 1000, 10), row('drift', 'peak RSS', 1000, 70), row('drift', 'time', 10000, 99)];
    const merged = mergeRows(old, [row('drift', 'time', 1000, 7)], ORDER);
    expect(merged.map((r) => [r.metric, r.n, r.subject.median])).toEqual([
      ['time', 1000, 7],
      ['peak RSS', 1000, 70],
      ['time', 10000, 99],
    ]);
  });

  test('GIVEN rows of cases in any order WHEN merged THEN they follow the case order, then N', () => {
    const merged = mergeRows([row('destroy', 'time', 10000, 1), row('apply', 'time', 10000, 1)], [row('apply', 'time', 1000, 1), row('drift', 'time', 1, 1)], ORDER);
    expect(merged.map((r) => `${r.case}/${r.n}`)).toEqual(['drift/1', 'apply/1000', 'apply/10000', 'destroy/10000']);
  });
});
