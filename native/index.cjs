'use strict';
// Loads the addon built by install.cjs. Never throws: `addon` is null when it is not built, and
// `reason` says why (the line install.js left in build/skipped.txt, or the load error).
const fs = require('fs');
const path = require('path');

const built = path.join(__dirname, 'build', 'Release', 'fa_native.node');
let addon = null;
let reason = null;
try {
  addon = require(built);
} catch (err) {
  let skipped = null;
  try {
    skipped = fs.readFileSync(path.join(__dirname, 'build', 'skipped.txt'), 'utf8').trim();
  } catch {
    // No note from the install script: the load error below says why.
  }
  if (skipped) reason = skipped;
  else if (err && err.code === 'MODULE_NOT_FOUND') reason = 'the addon is not built (run: npm run build:native)';
  else reason = `the addon failed to load: ${String((err && err.message) || err).split('\n')[0]}`;
}
module.exports = { addon, reason };
