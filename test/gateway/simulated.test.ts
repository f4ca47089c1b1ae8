/** The driver contract on the simulated gateway. */
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { runDriverContract } from './contract.js';

runDriverContract('simulated', async () => {
  const network = new SimulatedNetwork(false);
  network.setMac('10.0.0.10', '02:00:00:00:00:0a');
  network.setMac('10.0.0.11', '02:00:00:00:00:0b');
  return {
    create: async () => createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 }),
    clients: [
      { ip: '10.0.0.10', mac: '02:00:00:00:00:0a' },
      { ip: '10.0.0.11', mac: '02:00:00:00:00:0b' },
    ],
    unknownIp: '10.0.0.99',
    canReach: async (c) => network.allowed(c.ip),
    download: async (c, bytes) => network.transfer(c.ip, bytes, 0).down,
    // The simulated gateway's rate limit is what its traffic generator lets a device use: run one
    // generator second at 100 Mbit/s offered load and see what the pool's limit let through.
    measureDownBps: async (c) => {
      const device = network.deviceFor(c.ip)!;
      const before = device.down;
      createSimulatedDriver({ network, downBps: 100_000_000, upBps: 0, tickMs: 0 }).tick(1000);
      return (device.down - before) * 8;
    },
    quotaSlack: 0,
    cleanup: async () => {},
  };
});
