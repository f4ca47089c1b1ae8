/**
 * The one settings schema: types, defaults and validation for everything Portico reads at start-up.
 * Sources, later wins: these defaults → the JSON config file (`--config` / PORTICO_CONFIG) → PORTICO_*
 * environment variables (see load.ts). On OpenWrt the init script turns UCI into the JSON file.
 *
 * @example
 *   const config = configSchema.parse({ gateway: { driver: 'nftables' } });
 *   config.listen.port; // 8080
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { LANGS } from '../domain/plan-words.js';
import { DRIVERS } from '../gateway/names.js';

const port = z.number().int().min(1).max(65535);
const rate = z.number().int().positive();

const router = z.strictObject({
  name: z.string().min(1).optional(),
  host: z.string().min(1),
  /** API port; defaults to 8728, or 8729 with tls. */
  port: port.optional(),
  user: z.string().min(1).default('portico'),
  password: z.string().default(''),
  tls: z.boolean().default(false),
  /** With tls: PEM file of the router's certificate (or its CA) to verify api-ssl; without it the link is encrypted, not authenticated. */
  ca: z.string().min(1).optional(),
  /** Name of the hotspot server on the router (as in /ip/hotspot). */
  hotspot: z.string().min(1).default('hotspot1'),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
});

/** One NAS allowed to use Portico as its RADIUS server (SPEC §9; radius.md §a for each profile). */
const nas = z.strictObject({
  name: z.string().min(1).max(64),
  /** Source address of its packets: an IP, or a CIDR for a pool of NASes sharing one secret. */
  address: z.string().refine((a) => isIpOrCidr(a), { message: 'must be an IP address or a CIDR like 10.0.0.0/24' }),
  /** ≥ 16 characters: radius.md §c, an 8-character secret falls to one GPU in about a day. */
  secret: z.string().min(16, { message: 'must be at least 16 characters (24 random bytes in base64 is better)' }),
  profile: z.enum(['mikrotik', 'coovachilli', 'uspot', 'pfsense', 'opnsense', 'unifi', 'omada', 'portico', 'generic']),
  /** Where the NAS listens for CoA/Disconnect (RFC 5176 §2.1); 0 = it has none. */
  coaPort: z.number().int().min(0).max(65535).default(3799),
  /** BlastRADIUS (CVE-2024-3596): drop Access-Requests without Message-Authenticator. Opt out only for old firmware. */
  requireMessageAuthenticator: z.boolean().default(true),
  /** UAM NASes (CoovaChilli, uspot): the secret their login URL is signed with (`md`) and the password is hidden with. */
  uamSecret: z.string().min(1).optional(),
  /**
   * Host names the NAS's own login URL may use (MikroTik `dns-name`), besides private and link-local IP
   * addresses: the UAM page sends a resident's code only there (src/http/uam.ts).
   */
  uamHosts: z.array(z.string().regex(/^[a-z0-9.-]{1,253}$/i, { message: 'must be a host name' })).optional(),
  /**
   * Whether CoA/Disconnect-Requests to this NAS carry Message-Authenticator. Default: yes, except uspot,
   * whose DAS "does not support … Message-Authenticator" and NAKs unknown attributes (radius.md §a).
   */
  dasMessageAuthenticator: z.boolean().optional(),
});

/** One central RADIUS server a gateway Portico authorizes against (SPEC §10); tried in the order listed. */
const authorityServer = z.strictObject({
  /** An IP address (no DNS: a gateway must not depend on a resolver to let residents in). */
  host: z.string().refine((h) => isIP(h) !== 0, { message: 'must be an IP address (IPv4 or IPv6)' }),
  authPort: port.default(1812),
  acctPort: port.default(1813),
  /** ≥ 16 characters: radius.md §c. */
  secret: z.string().min(16, { message: 'must be at least 16 characters (24 random bytes in base64 is better)' }),
  /**
   * BlastRADIUS (CVE-2024-3596): drop Access-Accept/Reject without Message-Authenticator. Opt out only
   * for a server that cannot send it (Debian 12's FreeRADIUS 3.2.1, radius.md §c).
   */
  requireMessageAuthenticator: z.boolean().default(true),
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isIpOrCidr(a: string): boolean {
  const [ip, bits, extra] = a.split('/');
  if (extra !== undefined || !ip || isIP(ip) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (isIP(ip) === 4 ? 32 : 128);
}

export const configSchema = z.strictObject({
  /** Where the database and secrets live. */
  dataDir: z.string().min(1).default('./data'),
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8080),
      /**
       * Open TCP connections across the HTTP and HTTPS listeners (WebSockets included). Kept well under
       * the 4096 descriptors a stock OpenWrt procd service gets, so accept() never hits EMFILE.
       */
      maxConnections: z.number().int().min(16).max(60_000).default(2000),
      /** Open connections from one address; a browser uses under 20, so one device cannot take the rest. */
      maxPerAddress: z.number().int().min(4).max(60_000).default(64),
      /**
       * A connection with no read and no write progress for this long is closed (slow readers), ms. Node
       * forgives one window in which a write progressed, so a reader that stops is cut within 1–2× this.
       */
      idleTimeoutMs: z.number().int().min(1000).max(600_000).default(15_000),
      /** Whole request headers must arrive within this, ms (answered 408). */
      headersTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
      /** Whole request (headers and body) must arrive within this, ms; at least headersTimeoutMs. */
      requestTimeoutMs: z.number().int().min(500).max(600_000).default(15_000),
      /** HTTPS: the TLS handshake must finish within this, ms. */
      tlsHandshakeTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    })
    .prefault({}),
  tls: z
    .strictObject({
      port: port.optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
    })
    .prefault({})
    .refine((t) => t.port === undefined || (t.cert !== undefined && t.key !== undefined), {
      message: 'tls.port needs tls.cert and tls.key (PEM file paths)',
    }),
  /** The absolute URL residents are sent to. Defaults to http://<listen.host>:<listen.port>/. */
  portalUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Extra host names that are this portal (never intercepted), besides portalUrl's host. */
  portalHosts: z.array(z.string().min(1)).default([]),
  gateway: z
    .strictObject({
      driver: z.enum(DRIVERS).default('simulated'),
      /**
       * MAC addresses that pass without a code (the shop's till, a printer, a school's server), on every
       * driver. The console's Settings list, once saved, replaces this one.
       */
      bypass: z.array(z.string().regex(/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/, 'a MAC address like 02:00:00:aa:bb:cc')).max(200).default([]),
      simulated: z
        .strictObject({
          /** Download rate each online demo device "uses", bits per second. */
          downBps: rate.default(2_000_000),
          /** Upload rate each online demo device "uses", bits per second. */
          upBps: rate.default(400_000),
          /** How often simulated traffic advances. */
          tickMs: z.number().int().min(10).max(60_000).default(250),
        })
        .prefault({}),
      nftables: z
        .strictObject({
          /** Captive LAN interfaces. */
          interfaces: z.array(z.string().min(1)).min(1).default(['br-lan']),
          /** Portico's own table (family inet); never fw4's. */
          table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/).default('portico'),
          /** Destinations reachable before login (IPs or CIDRs, v4 or v6), tcp/443 and tcp/80. */
          walledGarden: z.array(z.string().min(1)).default([]),
          /** Port of the intercept listener TCP/80 is redirected to; defaults to listen.port. */
          interceptPort: port.optional(),
          /** Local resolver port stray DNS is redirected to. */
          dnsPort: port.default(53),
          /** `enforce` IPv6 like IPv4, or `refuse` to start while the LAN has global IPv6. */
          ipv6: z.enum(['enforce', 'refuse']).default('enforce'),
          /** dnsmasq lease file, read to map IPs to MACs when the neighbour table has no entry. */
          leasesFile: z.string().default('/tmp/dhcp.leases'),
          nftPath: z.string().default('nft'),
          conntrackPath: z.string().default('conntrack'),
          ipPath: z.string().default('ip'),
          /** How often authorized devices' new addresses (IPv6 privacy, DHCP renewals) are learned from the neighbour table, ms; 0 = never. */
          learnIntervalMs: z.number().int().min(0).max(3_600_000).default(5000),
        })
        .prefault({}),
      routeros: z
        .strictObject({
          routers: z.array(router).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
  accounting: z
    .strictObject({
      /** How often usage is written to storage (at most one write per interval; flash wear). */
      intervalMs: z.number().int().min(1000).max(3_600_000).default(60_000),
      /** How often counters are read for live display, quota and expiry checks. */
      pollMs: z.number().int().min(100).max(60_000).default(2000),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /**
       * `sqlite` (default): the embedded file (mode direct/ram below). `postgres`: the ledger lives in the
       * PostgreSQL database at `postgres.url`, shared by every Portico instance that names it (SPEC §11).
       */
      driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
      /** `direct`: the database file lives in dataDir. `ram`: it lives in ramDir and is snapshotted. */
      mode: z.enum(['direct', 'ram']).default('direct'),
      ramDir: z.string().default('/tmp/portico'),
      snapshotIntervalMs: z.number().int().min(10_000).max(86_400_000).default(3_600_000),
      postgres: z
        .strictObject({
          /** `postgres://user:password@host:5432/portico` (env PORTICO_STORAGE_POSTGRES_URL); required with driver postgres. */
          url: z
            .string()
            .regex(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL, e.g. postgres://portico:secret@db.lan:5432/portico' })
            .optional(),
          /** How long one statement may wait for the database before the request fails with 503 (ms). */
          timeoutMs: z.number().int().min(200).max(60_000).default(3000),
        })
        .prefault({}),
    })
    .refine((s) => s.driver !== 'postgres' || !!s.postgres.url, {
      message: 'storage.driver "postgres" needs storage.postgres.url (or PORTICO_STORAGE_POSTGRES_URL)',
      path: ['postgres', 'url'],
    })
    .prefault({}),
  network: z
    .strictObject({
      name: z.string().min(1).max(80).default('Community Wi-Fi'),
      ssid: z.string().max(32).default(''),
      /** Wi-Fi password for the join QR on printed sheets (empty: open network). */
      wifiPassword: z.string().max(63).default(''),
      languages: z.array(z.enum(LANGS)).min(1).default([...LANGS]),
      /** Operator information page (RFC 8908 venue-info-url). */
      venueInfoUrl: z.url().optional(),
      /**
       * IANA time zone residents read times in (`America/Bogota`), on pages rendered without JavaScript;
       * defaults to the machine's. OpenWrt's TZ is often a POSIX string, so name the zone here.
       */
      timeZone: z
        .string()
        .refine(isTimeZone, { message: 'must be an IANA time zone such as America/Bogota or Europe/Madrid' })
        .default(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
    })
    .prefault({}),
  security: z
    .strictObject({
      /** Failed voucher attempts a device gets before back-off starts. */
      freeAttempts: z.number().int().min(1).max(100).default(5),
      /** Longest back-off (lockout) in seconds. */
      maxLockoutSec: z.number().int().min(1).max(86_400).default(900),
      /** Failed attempts per minute across the whole network before everyone backs off. */
      networkAttemptsPerMinute: z.number().int().min(10).max(100_000).default(300),
      /** Failed attempts per minute from one /24 (IPv6 /64) before its new devices also wait while the network limit is tripped. */
      prefixAttemptsPerMinute: z.number().int().min(1).max(100_000).default(30),
      operatorSessionHours: z.number().int().min(1).max(24 * 30).default(12),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Audit rows older than this are deleted by the housekeeping job. */
      retentionDays: z.number().int().min(1).max(3650).default(90),
      /** At most this many audit rows are kept (oldest deleted first); about 170 B a row with its indexes, so 50,000 ≈ 8.5 MB. */
      maxRows: z.number().int().min(1000).max(10_000_000).default(50_000),
    })
    .prefault({}),
  radius: z
    .strictObject({
      /** Portico as the RADIUS server (AAA) of third-party NASes (SPEC §9). Off by default. */
      server: z
        .strictObject({
          enabled: z.boolean().default(false),
          host: z.string().min(1).default('0.0.0.0'),
          authPort: port.default(1812),
          acctPort: port.default(1813),
          /** Acct-Interim-Interval sent in every Accept; RFC 2869 §5.16 "MUST NOT be smaller than 60". */
          interimIntervalSec: z.number().int().min(60).max(86_400).default(300),
          /**
           * Grant slices (radius.md §b): each Accept holds clamp(unreserved / (live + 1), sliceMinBytes,
           * sliceMaxBytes) of a data pool, never more than is left. sliceMinBytes is the most a session may
           * hold beyond the pool (SPEC §9 "plus at most one small slice per session").
           */
          sliceMinBytes: z.number().int().min(1_000_000).default(10_000_000),
          sliceMaxBytes: z.number().int().min(1_000_000).default(1_000_000_000),
          nas: z.array(nas).default([]).refine((l) => new Set(l.map((n) => n.name)).size === l.length, { message: 'NAS names must be unique' }),
        })
        .prefault({}),
    })
    .prefault({}),
  authority: z
    .strictObject({
      /** `local`: this Portico's own ledger; `radius`: a central RADIUS server decides (SPEC §10, docs/towers.md). */
      kind: z.enum(['local', 'radius']).default('local'),
      radius: z
        .strictObject({
          servers: z.array(authorityServer).max(8).default([]),
          /** NAS-Identifier in every request: how the central server tells this gateway apart. */
          nasIdentifier: z.string().min(1).max(253).default('portico'),
          /** Source address of the RADIUS packets (and NAS-IP-Address when IPv4); default: the system's choice. */
          bindAddress: z.string().refine((h) => isIP(h) !== 0, { message: 'must be an IP address' }).optional(),
          /** A login waits at most this long for the servers, all retransmissions and failover included, ms. */
          timeoutMs: z.number().int().min(300).max(30_000).default(3000),
          /** A server that did not answer is skipped for this long (the next one is asked first), ms. */
          deadTimeMs: z.number().int().min(1000).max(600_000).default(30_000),
          /** Send the code normalized (upper case, no dashes, O→0, I/L→1, check character verified) or as typed. */
          normalizeCode: z.boolean().default(true),
          /** The DAS listener for the servers' Disconnect- and CoA-Requests (RFC 5176); port 0 = off. */
          das: z
            .strictObject({
              host: z.string().refine((h) => isIP(h) !== 0, { message: 'must be an IP address' }).default('0.0.0.0'),
              port: z.number().int().min(0).max(65535).default(0),
              /** Drop Disconnect/CoA-Requests without Message-Authenticator. */
              requireMessageAuthenticator: z.boolean().default(true),
            })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({})
    .refine((a) => a.kind !== 'radius' || a.radius.servers.length > 0, {
      message: 'authority.kind "radius" needs at least one server in authority.radius.servers',
      path: ['radius', 'servers'],
    }),
  log: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    })
    .prefault({}),
})
  // A gateway that asks a central server cannot also answer NASes from its copies of the central's grants.
  .refine((c) => !(c.authority.kind === 'radius' && c.radius.server.enabled), {
    message: 'a gateway with authority.kind "radius" cannot also be a RADIUS server (radius.server.enabled): point those NASes at the central server',
    path: ['radius', 'server', 'enabled'],
  });

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;
/** The validated config, with portalUrl always filled in. */
export type Config = Parsed & { portalUrl: string };
export type RouterConfig = z.output<typeof router>;
export type NasConfig = z.output<typeof nas>;
export type AuthorityServerConfig = z.output<typeof authorityServer>;
