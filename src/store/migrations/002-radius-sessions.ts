/**
 * 002: RADIUS sessions (SPEC §9). One row per grant handed to a NAS in an Access-Accept; its id travels
 * as the Class attribute, which the NAS echoes unmodified in every Accounting-Request (RFC 2865 §5.25),
 * so accounting finds its grant even before the Acct-Session-Id is known. `in_octets`/`out_octets` are
 * the highest 64-bit counters reported so far (RFC 2869 §5.1–5.2 gigawords folded in): a duplicate or
 * reordered Interim-Update adds nothing (radius.md §b, point 3).
 */
export const up = `
CREATE TABLE radius_sessions (
  id TEXT PRIMARY KEY,
  nas TEXT NOT NULL,
  entitlement_id TEXT NOT NULL REFERENCES entitlements(id),
  mac TEXT NOT NULL,
  ip TEXT,
  acct_session_id TEXT,
  granted_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  ended_at INTEGER,
  end_reason TEXT,
  in_octets INTEGER NOT NULL DEFAULT 0,
  out_octets INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX radius_sessions_acct ON radius_sessions(nas, acct_session_id) WHERE active = 1 AND acct_session_id IS NOT NULL;
CREATE INDEX radius_sessions_pool ON radius_sessions(entitlement_id) WHERE active = 1;
CREATE INDEX radius_sessions_mac ON radius_sessions(mac) WHERE active = 1;
CREATE INDEX radius_sessions_nas ON radius_sessions(nas) WHERE active = 1;
`;
