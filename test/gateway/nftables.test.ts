/**
 * The driver contract on the nftables driver, for real: a gateway network namespace bridging two
 * client namespaces and routing to a stand-in internet (test/nftables/topology.ts). Needs root,
 * nftables, iproute2 and conntrack (installed by .ci/run).
 */
import { runDriverContract } from './contract.js';
import { createGatewayHarness } from '../nftables/harness.js';

runDriverContract('nftables', async () => {
  const gw = await createGatewayHarness({ prefix: 'pnftk', subnet: 71 });
  const [a, b] = gw.topo.clients;
  return {
    create: async () => gw.createDriver(),
    clients: [
      { ip: a!.ip, mac: a!.mac },
      { ip: b!.ip, mac: b!.mac },
    ],
    unknownIp: '10.99.71.200',
    canReach: (c) => gw.canReach(gw.topo.clients.find((x) => x.ip === c.ip)!),
    download: (c, bytes) => gw.download(gw.topo.clients.find((x) => x.ip === c.ip)!, bytes),
    async measureDownBps(c) {
      const client = gw.topo.clients.find((x) => x.ip === c.ip)!;
      // The kernel's byte bucket starts one second full (ruleset.ts limitExpr): drain it, then measure.
      await gw.download(client, 100_000_000, 1.5);
      const r = await gw.topo.run(client.ns, ['curl', '-s', '-m', '3', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', `http://${gw.topo.inetIp}:8000/bytes/100000000`], 10_000);
      const [size, time] = r.stdout.trim().split(' ').map(Number);
      return ((size ?? 0) * 8) / (time ?? 1);
    },
    // Quotas count whole IP packets both ways (headers and ACKs), downloads count payload: ~5 % apart.
    quotaSlack: 100_000,
    cleanup: () => gw.cleanup(),
  };
});
