#!/usr/bin/env node
// The `portico` command: the compiled entry point (npm run build writes dist/).
import('../dist/main.js').catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
