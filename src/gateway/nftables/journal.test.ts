/** The journaled map: rollback puts back exactly what changed since open(), in place or not. */
import { describe, expect, it } from 'vitest';
import { JournaledMap } from './journal.js';

describe('JournaledMap', () => {
  it('puts back values changed in place, replaced, added and deleted; a closed journal keeps the changes', () => {
    const m = JournaledMap.of<string, { n: number; s: Set<string> }>((v) => ({ n: v.n, s: new Set(v.s) }));
    m.set('a', { n: 1, s: new Set(['x']) });
    m.set('b', { n: 2, s: new Set() });
    m.set('c', { n: 3, s: new Set() });
    m.open();
    m.get('a')!.n = 10;
    m.get('a')!.s.add('y');
    m.set('b', { n: 20, s: new Set() });
    m.delete('c');
    m.set('d', { n: 4, s: new Set() });
    for (const v of m.values()) v.n += 100;
    m.rollback();
    expect([...m.entries()].map(([k, v]) => [k, v.n, [...v.s]])).toEqual([
      ['a', 1, ['x']],
      ['b', 2, []],
      ['c', 3, []],
    ]);
    m.open();
    m.get('a')!.n = 7;
    m.close();
    m.rollback();
    expect(m.get('a')!.n).toBe(7);
  });

  it('peek and peekValues read without keeping (a reader during an open batch copies nothing)', () => {
    const copies: number[] = [];
    const m = JournaledMap.of<string, { n: number }>((v) => (copies.push(v.n), { ...v }));
    for (let i = 0; i < 5; i++) m.set(`k${i}`, { n: i });
    m.open();
    expect([...m.peekValues()].length).toBe(5);
    expect(m.peek('k1')!.n).toBe(1);
    expect(copies).toEqual([]);
    m.get('k2');
    m.get('k2');
    expect(copies).toEqual([2]);
  });
});
