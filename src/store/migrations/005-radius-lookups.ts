/**
 * 005: indexes for the two RADIUS lookups that also look at ended sessions, which the partial
 * (`WHERE active = 1`) indexes of 002 cannot serve, so each was a scan of every session ever granted:
 * MAC authentication's "latest session of this MAC" (`latestForMac`) and accounting's fallback by
 * (NAS, Acct-Session-Id) when a NAS does not echo Class (`byAcctSession`; a pfSense Start re-opening a
 * stopped session, migration 004, finds it this way).
 */
export const up = `
CREATE INDEX radius_sessions_mac_latest ON radius_sessions(mac, granted_at);
CREATE INDEX radius_sessions_acct_any ON radius_sessions(nas, acct_session_id);
`;
