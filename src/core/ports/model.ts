/**
 * The model core works with: vouchers, batches, plans, pools (entitlements) and their devices,
 * operators, audit events and RADIUS sessions, as plain records. Core owns these types; the store
 * (src/store/*-repo.ts) maps its rows to them, and any other storage engine implements the same shapes.
 */
import type { Entitlement, VoucherStatus } from '../../domain/entitlement.js';
import type { Plan } from '../../domain/plan.js';

// voucher-repo
export interface VoucherRow {
  id: string;
  code: string;
  batchId: string;
  plan: Plan;
  status: VoucherStatus;
  redeemBy: number | null;
  entitlementId: string | null;
  createdAt: number;
  redeemedAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
}

export interface BatchRow {
  id: string;
  planName: string | null;
  plan: Plan;
  count: number;
  note: string | null;
  price: number | null;
  sellerId: string | null;
  createdAt: number;
}

export interface PlanRow {
  id: string;
  name: string;
  plan: Plan;
  price: number | null;
  createdAt: number;
}

export interface VoucherFilter {
  status?: VoucherStatus;
  batchId?: string;
  sellerId?: string;
  /** Matches the code (without dashes) or the batch note. */
  q?: string;
  /** At most 10,000 rows unless `Infinity` (the CLI's "every row"); 100 by default. */
  limit?: number;
  offset?: number;
}

// entitlement-repo
export interface EntitlementRow extends Entitlement {
  id: string;
  voucherId: string;
  updatedAt: number;
}

export interface DeviceRow {
  id: string;
  entitlementId: string;
  mac: string;
  ip: string;
  site: string | null;
  attachedAt: number;
  lastSeen: number;
  active: boolean;
  endedAt: number | null;
  endReason: string | null;
  bytesUp: number;
  bytesDown: number;
  /** The driver's cumulative counters as of the last usage flush (the baseline for the next delta). */
  counterUp: number;
  counterDown: number;
}

// operator-repo
export type Role = 'admin' | 'seller';

export interface OperatorRow {
  id: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  disabled: boolean;
}

export interface OperatorSessionRow {
  tokenHash: string;
  operatorId: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

// event-repo
export type ActorType = 'device' | 'operator' | 'system';

export interface EventRow {
  id?: number;
  at: number;
  type: string;
  actorType: ActorType;
  actorId: string | null;
  subject: string | null;
  data: Record<string, unknown> | null;
}

// radius-session-repo
export interface RadiusSessionRow {
  id: string;
  nas: string;
  entitlementId: string;
  mac: string;
  ip: string | null;
  acctSessionId: string | null;
  grantedAt: number;
  lastSeen: number;
  active: boolean;
  endedAt: number | null;
  endReason: string | null;
  inOctets: number;
  outOctets: number;
  /** Bytes of the pool this grant holds (migration 003); null = not bounded by the NAS. */
  sliceBytes: number | null;
  /** in + out octets of the session when the slice was granted. */
  sliceBase: number;
  /** User-Name the NAS sent (the code as typed, or the MAC): Disconnect-Request needs it. */
  userName: string | null;
  /** Source address of the Access-Request: where Disconnect-Requests go. */
  nasIp: string | null;
  /** Cumulative in/out octets when the current accounting epoch began (migration 004; 0 in the first). */
  epochIn?: number;
  epochOut?: number;
  /** How often a Start re-opened the session after its NAS stopped it (pfSense Stop/Start). */
  resumes?: number;
}
