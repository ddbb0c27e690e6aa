import { describe, expect, it } from 'vitest';
import { periodWindow } from '../../src/quota/period.ts';
import { effectiveQuota, emptyGuildSettings, resolveAllowance, type QuotaDefaults } from '../../src/quota/quota-settings.ts';
import { unitsFor } from '../../src/tasks/task-record.ts';

const defaults: QuotaDefaults = {
  period: 'day',
  memberUnits: 3,
  serverUnits: 30,
  memberRunning: 1,
  memberWaiting: 2,
  globalUnitsPerDay: null,
  serverMaxUnitsPerDay: null,
};
const at = (iso: string) => Date.parse(iso);

describe('quota periods (UTC)', () => {
  it('a day runs from 00:00 to 00:00 UTC', () => {
    const day = periodWindow('day', at('2026-11-25T23:59:59.999Z'));
    expect(day).toMatchObject({ kind: 'day', id: 'day:2026-11-25', start: at('2026-11-25T00:00:00Z'), end: at('2026-11-26T00:00:00Z') });
    expect(periodWindow('day', at('2026-11-26T00:00:00Z')).id).toBe('day:2026-11-26');
  });

  it('a week starts on Monday 00:00 UTC, Sundays included in the week before', () => {
    expect(periodWindow('week', at('2026-11-25T12:00:00Z'))).toMatchObject({ id: 'week:2026-11-23', end: at('2026-11-30T00:00:00Z') });
    expect(periodWindow('week', at('2026-11-29T23:59:59Z')).id).toBe('week:2026-11-23');
    expect(periodWindow('week', at('2026-11-30T00:00:00Z')).id).toBe('week:2026-11-30');
  });

  it('a month starts on the 1st 00:00 UTC, across a year end', () => {
    expect(periodWindow('month', at('2026-12-31T23:00:00Z'))).toMatchObject({ id: 'month:2026-12', end: at('2027-01-01T00:00:00Z') });
    expect(periodWindow('month', at('2027-02-15T00:00:00Z'))).toMatchObject({
      start: at('2027-02-01T00:00:00Z'),
      end: at('2027-03-01T00:00:00Z'),
    });
  });
});

describe('quota periods asked for again and again', () => {
  // A burst asks for the same period once per command; the answer is kept while the clock stays inside it.
  it('gives the same window for every moment inside it, and a new one past either edge', () => {
    const first = periodWindow('day', at('2026-11-25T10:00:00Z'));
    expect(periodWindow('day', at('2026-11-25T23:59:59.999Z'))).toBe(first);
    expect(periodWindow('day', at('2026-11-26T00:00:00Z')).id).toBe('day:2026-11-26');
    // A clock set back (a test's, or an operator's) gets its own day, not the one kept.
    expect(periodWindow('day', at('2026-11-24T23:59:59.999Z')).id).toBe('day:2026-11-24');
    expect(periodWindow('day', at('2026-11-25T00:00:00Z'))).toMatchObject({ id: 'day:2026-11-25', start: first.start, end: first.end });
  });

  it('keeps each kind apart', () => {
    const now = at('2026-11-25T12:00:00Z');
    expect(periodWindow('day', now).id).toBe('day:2026-11-25');
    expect(periodWindow('week', now).id).toBe('week:2026-11-23');
    expect(periodWindow('month', now).id).toBe('month:2026-11');
    expect(periodWindow('day', now).id).toBe('day:2026-11-25');
  });

  it('cannot be changed by whoever holds it', () => {
    const window = periodWindow('week', at('2026-11-25T12:00:00Z'));
    expect(Object.isFrozen(window)).toBe(true);
  });
});

describe('whose allowance applies', () => {
  const quota = effectiveQuota(
    { ...emptyGuildSettings(), memberDefault: 2, roleUnits: { '11': 5, '12': 8, '13': 0 }, memberUnits: { '900': 1 } },
    defaults,
  );

  it("the member's own setting wins over roles", () => {
    expect(resolveAllowance(quota, '900', ['12'])).toEqual({ units: 1, rule: { kind: 'member' } });
  });

  it('otherwise the highest of their roles that have a setting', () => {
    expect(resolveAllowance(quota, '901', ['11', '12', '13', '99'])).toEqual({ units: 8, rule: { kind: 'role', roleId: '12' } });
  });

  it('a role with no limit beats any number', () => {
    const open = effectiveQuota({ ...emptyGuildSettings(), roleUnits: { '11': 5, '14': null } }, defaults);
    expect(resolveAllowance(open, '901', ['11', '14'])).toEqual({ units: null, rule: { kind: 'role', roleId: '14' } });
  });

  it('otherwise the server default, and the operator default when the server set none', () => {
    expect(resolveAllowance(quota, '902', ['99'])).toEqual({ units: 2, rule: { kind: 'server' } });
    expect(resolveAllowance(effectiveQuota(emptyGuildSettings(), defaults), '902', [])).toEqual({ units: 3, rule: { kind: 'server' } });
  });

  it('a server setting of "no limit" overrides the operator default', () => {
    expect(effectiveQuota({ ...emptyGuildSettings(), serverUnits: null }, defaults).serverUnits).toBeNull();
  });
});

describe('costs', () => {
  it('a 5 s video costs one unit and a 10 s video two', () => {
    expect(unitsFor('5')).toBe(1);
    expect(unitsFor('10')).toBe(2);
  });
});
