/**
 * 004: accounting epochs of a RADIUS session (radius.md §b point 2: "key sessions by (NAS,
 * Acct-Session-Id, epoch): pfSense Stop/Start reuses the id with zeroed counters"). When a Start
 * re-opens a session its NAS stopped, `epoch_in`/`epoch_out` take the session's cumulative counters,
 * and what the NAS reports from then on counts on top of them. `resumes` counts those re-opens.
 * Existing rows are in their first epoch: base 0, nothing to convert.
 */
export const up = `
ALTER TABLE radius_sessions ADD COLUMN epoch_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE radius_sessions ADD COLUMN epoch_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE radius_sessions ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0;
`;
