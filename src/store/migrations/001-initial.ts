/** 001: the initial schema. Times are ms since epoch; plans are JSON copies (see domain/plan.ts). */
export const up = `
CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  spec TEXT NOT NULL,
  price REAL,
  created_at INTEGER NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'seller')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE operator_sessions (
  token_hash TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL REFERENCES operators(id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  plan_name TEXT,
  plan TEXT NOT NULL,
  count INTEGER NOT NULL,
  note TEXT,
  price REAL,
  seller_id TEXT REFERENCES operators(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE entitlements (
  id TEXT PRIMARY KEY,
  voucher_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'exhausted', 'expired', 'revoked')),
  plan TEXT NOT NULL,
  activated_at INTEGER NOT NULL,
  expires_at INTEGER,
  data_total INTEGER,
  used_bytes INTEGER NOT NULL DEFAULT 0,
  period_start INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX entitlements_status ON entitlements(status);
CREATE TABLE vouchers (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  batch_id TEXT NOT NULL REFERENCES batches(id),
  plan TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unused' CHECK (status IN ('unused', 'active', 'exhausted', 'expired', 'revoked')),
  redeem_by INTEGER,
  entitlement_id TEXT REFERENCES entitlements(id),
  created_at INTEGER NOT NULL,
  redeemed_at INTEGER,
  revoked_at INTEGER,
  revoke_reason TEXT
);
CREATE INDEX vouchers_batch ON vouchers(batch_id);
CREATE INDEX vouchers_status ON vouchers(status);
CREATE INDEX vouchers_entitlement ON vouchers(entitlement_id);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  entitlement_id TEXT NOT NULL REFERENCES entitlements(id),
  mac TEXT NOT NULL,
  ip TEXT NOT NULL,
  site TEXT,
  attached_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  ended_at INTEGER,
  end_reason TEXT,
  bytes_up INTEGER NOT NULL DEFAULT 0,
  bytes_down INTEGER NOT NULL DEFAULT 0,
  counter_up INTEGER NOT NULL DEFAULT 0,
  counter_down INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX devices_active_mac ON devices(mac) WHERE active = 1;
CREATE INDEX devices_entitlement ON devices(entitlement_id, active);
CREATE INDEX devices_active_ip ON devices(ip) WHERE active = 1;
CREATE TABLE usage_daily (
  day TEXT NOT NULL,
  entitlement_id TEXT NOT NULL,
  bytes_up INTEGER NOT NULL DEFAULT 0,
  bytes_down INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, entitlement_id)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('device', 'operator', 'system')),
  actor_id TEXT,
  subject TEXT,
  data TEXT
);
CREATE INDEX events_at ON events(at);
CREATE INDEX events_subject ON events(subject);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
