/** The ordered list of migrations. Append only: never edit or reorder one that has shipped. */
import { up as m001 } from './001-initial.js';
import { up as m002 } from './002-radius-sessions.js';
import { up as m003 } from './003-radius-slices.js';
import { up as m004 } from './004-radius-epochs.js';
import { up as m005 } from './005-radius-lookups.js';

export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: m001 },
  { version: 2, name: 'radius-sessions', sql: m002 },
  { version: 3, name: 'radius-slices', sql: m003 },
  { version: 4, name: 'radius-epochs', sql: m004 },
  { version: 5, name: 'radius-lookups', sql: m005 },
];
