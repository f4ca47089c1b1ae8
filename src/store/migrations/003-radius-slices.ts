/**
 * 003: grant slices and Disconnect targets on RADIUS sessions (SPEC §9, radius.md §b "grant slices").
 * `slice_bytes` is the share of the pool this grant holds (null: the NAS enforces no data, or the pool
 * is unlimited/throttled); `slice_base` is the session's in+out octets when the slice was granted, so
 * what it still holds is `slice_bytes − (in + out − slice_base)`. `user_name` and `nas_ip` are what a
 * Disconnect-Request (RFC 5176 §3) needs: the NAS's own User-Name (CoovaChilli answers nothing without
 * it) and the address the request came from (a NAS entry may be a CIDR).
 */
export const up = `
ALTER TABLE radius_sessions ADD COLUMN slice_bytes INTEGER;
ALTER TABLE radius_sessions ADD COLUMN slice_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE radius_sessions ADD COLUMN user_name TEXT;
ALTER TABLE radius_sessions ADD COLUMN nas_ip TEXT;
`;
