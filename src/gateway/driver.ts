/**
 * The driver port, for the drivers' own imports: the interface is core's (src/core/ports/driver.ts).
 */
export * from '../core/ports/driver.js';
