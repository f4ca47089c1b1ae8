/** The operator's walled garden reaches the gateway when saved, and again at every start. */
import { describe, expect, it } from 'vitest';
import { harness } from '../helpers/harness.js';

describe('walled garden', () => {
  it('is handed to the gateway at start (config default) and when an admin saves it', async () => {
    const h = await harness({ gateway: { nftables: { walledGarden: ['192.0.2.10'] } } });
    expect(h.network.walledGarden).toEqual(['192.0.2.10']);
    const op = await h.core.addOperator({ name: 'ana', role: 'admin', password: 'long-enough-pw' }, { type: 'system' });
    await h.core.admin.saveSettings({ walledGarden: ['pay.example.net', '198.51.100.0/24'] }, op);
    expect(h.network.walledGarden).toEqual(['pay.example.net', '198.51.100.0/24']);
    // A restart applies the saved list, not the config default.
    await h.core.start({ timer: false });
    expect(h.network.walledGarden).toEqual(['pay.example.net', '198.51.100.0/24']);
  });

  it('is saved even while the gateway is down, and applied once it is back', async () => {
    const h = await harness();
    const op = await h.core.addOperator({ name: 'ana', role: 'admin', password: 'long-enough-pw' }, { type: 'system' });
    h.network.reachable = false;
    await h.core.admin.saveSettings({ walledGarden: ['pay.example.net'] }, op);
    expect(h.core.admin.settings().walledGarden).toEqual(['pay.example.net']);
    expect(h.network.walledGarden).toEqual([]);
    h.network.reachable = true;
    await h.core.start({ timer: false });
    expect(h.network.walledGarden).toEqual(['pay.example.net']);
  });
});
