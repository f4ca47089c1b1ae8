/**
 * Ids for rows and events: short, URL-safe, random (nanoid). Prefixes make logs readable.
 *
 * @example
 *   newId('dev'); // 'dev_V1StGXR8_Z5jdHi6B'
 */
import { nanoid } from 'nanoid';

export type IdFactory = (prefix: string) => string;

export const newId: IdFactory = (prefix) => `${prefix}_${nanoid(16)}`;
