/** The event bus delivers to every listener and contains a failing one. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/log.js';
import { EventBus } from './events.js';

describe('event bus', () => {
  it('delivers to every listener and contains a failing one, logging owner/event', () => {
    const lines: string[] = [];
    const bus = new EventBus(createLogger('debug', (l) => lines.push(l)));
    const got: string[] = [];
    bus.on('batch.created', 'bad', () => {
      throw new Error('boom');
    });
    const off = bus.on('batch.created', 'good', (e) => got.push(e.batchId));
    bus.emit('batch.created', { batchId: 'b1', count: 1, sellerId: null, price: null });
    expect(got).toEqual(['b1']);
    expect(lines.some((l) => l.startsWith('error bad/batch.created: listener failed'))).toBe(true);
    off();
    bus.emit('batch.created', { batchId: 'b2', count: 1, sellerId: null, price: null });
    expect(got).toEqual(['b1']);
  });
});
