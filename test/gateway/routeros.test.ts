/** The driver contract on the `routeros` driver: real node-routeros over TCP to the RouterOS API simulator. */
import { startLab } from '../routeros-sim/harness.js';
import { PACKET } from '../routeros-sim/hotspot.js';
import { runDriverContract } from './contract.js';

const A = { ip: '10.5.50.10', mac: '02:00:00:00:00:0a' };
const B = { ip: '10.5.50.11', mac: '02:00:00:00:00:0b' };

runDriverContract('routeros', async () => {
  const lab = await startLab([{ name: 'tower1', hosts: [[A.ip, A.mac], [B.ip, B.mac]] }]);
  const router = lab.sim('tower1').state;
  return {
    create: () => lab.driver(),
    clients: [A, B],
    unknownIp: '10.5.50.99',
    canReach: async (c) => router.canReach(c.ip),
    download: async (c, bytes) => router.transfer(c.ip, bytes, 0).down,
    // One second of offered load through the session's dynamic queue (rate-limit tx = download).
    measureDownBps: async (c) => router.transfer(c.ip, 1e12, 0, 1000).down * 8,
    // RouterOS lets the packet that crosses limit-bytes-total through.
    quotaSlack: PACKET,
    cleanup: () => lab.close(),
  };
});
