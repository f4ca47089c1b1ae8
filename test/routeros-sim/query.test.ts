/** The query stack language and `.proplist` (gateways.md 1.7), with the manual's own examples. */
import { describe, expect, it } from 'vitest';
import { matches, project } from './query.js';

const ether = { type: 'ether', name: 'e1', comment: 'x', rx: '10' };
const vlan = { type: 'vlan', name: 'v1' };
const bridge = { type: 'bridge', name: 'b1' };

describe('queries', () => {
  it('ANDs plain query words', () => {
    expect(matches(ether, ['?type=ether', '?name=e1'])).toBe(true);
    expect(matches(ether, ['?type=ether', '?name=v1'])).toBe(false);
  });
  it('ORs and negates with ?#', () => {
    const or = ['?type=ether', '?type=vlan', '?#|'];
    expect([ether, vlan, bridge].map((i) => matches(i, or))).toEqual([true, true, false]);
    expect([ether, vlan, bridge].map((i) => matches(i, [...or.slice(0, 2), '?#|!']))).toEqual([false, false, true]);
  });
  it('tests presence, absence and comparisons', () => {
    expect(matches(ether, ['?comment'])).toBe(true);
    expect(matches(vlan, ['?-comment'])).toBe(true);
    expect(matches(ether, ['?>comment='])).toBe(true);
    expect(matches(ether, ['?<rx=9'])).toBe(false);
    expect(matches(ether, ['?>rx=9'])).toBe(true);
    expect(matches(ether, ['?=name=e1'])).toBe(true);
  });
  it('replaces the stack with a trailing index', () => {
    expect(matches(ether, ['?type=vlan', '?type=ether', '?#0'])).toBe(true);
    expect(matches(ether, ['?type=vlan', '?type=ether', '?#1'])).toBe(false);
  });
  it('projects .proplist, leaving absent properties absent', () => {
    expect(project(ether, 'name,missing')).toEqual({ name: 'e1' });
  });
});
