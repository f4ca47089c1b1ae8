/** NAS profile tables: each NAS gets its own attributes and units (radius.md §a). */
import { describe, expect, it } from 'vitest';
import { grantAttributesFor, mikrotikRate } from './profiles.js';

const g = { bytesLeft: 5_000_000_000, downBps: 2_000_000, upBps: 512_000 };

describe('NAS profiles', () => {
  it('MikroTik: Total-Limit + Gigawords, Rate-Limit as upload/download', () => {
    expect(grantAttributesFor('mikrotik', g)).toEqual([
      ['Mikrotik-Total-Limit', 705_032_704], ['Mikrotik-Total-Limit-Gigawords', 1], ['Mikrotik-Rate-Limit', '512k/2M'],
    ]);
    expect(mikrotikRate(1_500)).toBe('1500');
    expect(grantAttributesFor('mikrotik', { bytesLeft: null, downBps: 1_000_000, upBps: null })).toEqual([['Mikrotik-Rate-Limit', '0/1M']]);
  });
  it('CoovaChilli: Max-Total-Octets + Gigawords, WISPr in bit/s and ChilliSpot in kbit/s', () => {
    expect(grantAttributesFor('coovachilli', g)).toEqual([
      ['ChilliSpot-Max-Total-Octets', 705_032_704], ['ChilliSpot-Max-Total-Gigawords', 1],
      ['WISPr-Bandwidth-Max-Up', 512_000], ['WISPr-Bandwidth-Max-Down', 2_000_000],
      ['ChilliSpot-Bandwidth-Max-Up', 512], ['ChilliSpot-Bandwidth-Max-Down', 2000],
    ]);
  });
  it('pfSense caps its 32-bit octet limit; OPNsense/UniFi/Omada get no data or rates', () => {
    expect(grantAttributesFor('pfsense', g)[0]).toEqual(['pfSense-Max-Total-Octets', 0xffff_ffff]);
    for (const p of ['opnsense', 'unifi', 'omada'] as const) expect(grantAttributesFor(p, g)).toEqual([]);
  });
});
