'use strict';
// Builds the optional native backend's addon (the root package's `install` script, so `npm ci`
// runs it; again by hand: npm run build:native). Builds with node-gyp when oneDNN's headers are
// present; otherwise prints one line and exits 0, so `npm ci` succeeds either way and the
// 'native' backend reports why it is missing (build/skipped.txt). A failed build also exits 0,
// with its log kept in native/build/build.log. FA_NATIVE_SKIP=1 skips the build.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const here = __dirname;
const buildDir = path.join(here, 'build');
const skippedFile = path.join(buildDir, 'skipped.txt');
const TAG = 'fourier-augmix:';

/** Prints `line`, records `reason` (what the backend will say) and stops, successfully. */
function skip(line, reason = line) {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.rmSync(path.join(buildDir, 'Release', 'fa_native.node'), { force: true });
  fs.writeFileSync(skippedFile, reason + '\n');
  console.log(`${TAG} ${line}`);
  process.exit(0);
}

function findHeaders() {
  const dirs = (process.env.DNNL_INCLUDE_DIR ? [process.env.DNNL_INCLUDE_DIR] : []).concat(['/usr/include', '/usr/local/include']);
  return dirs.find((d) => fs.existsSync(path.join(d, 'dnnl.hpp')) || fs.existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
}

if (process.env.FA_NATIVE_SKIP === '1') skip('native backend skipped (FA_NATIVE_SKIP=1)');
if (!findHeaders()) {
  skip(
    'oneDNN headers not found, native backend skipped (apt-get install libdnnl-dev)',
    'the addon was not built: oneDNN headers were not found at install time (apt-get install libdnnl-dev, then npm run build:native)',
  );
}

// npm runs install scripts with npm_config_node_gyp pointing at its bundled node-gyp.
let gyp = process.env.npm_config_node_gyp;
if (!gyp || !fs.existsSync(gyp)) {
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [path.dirname(process.execPath) + '/../lib/node_modules/npm'] });
  } catch {
    skip('node-gyp not found (it comes with npm), native backend skipped');
  }
}
const args = [gyp, 'rebuild', '--silent', `--directory=${here}`];
// Without nodedir, node-gyp downloads Node's headers; a distribution's node ships them in
// <prefix>/include/node, which needs no network.
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
}
try {
  fs.rmSync(skippedFile, { force: true });
} catch {
  // Nothing to remove, or the build below reports the real problem.
}
// One compile per source file, each holding about 1 GB: as many at once as there are cores, up to 4.
const jobs = process.env.JOBS || String(Math.min(4, require('os').availableParallelism()));
const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', env: { ...process.env, JOBS: jobs } });
const log = `${r.stdout || ''}${r.stderr || ''}`;
if (r.status !== 0) {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(path.join(buildDir, 'build.log'), log);
  const first = log.split('\n').find((l) => /error/i.test(l)) || `node-gyp exited with ${r.status}`;
  const line = `native backend build failed, skipped (${first.trim().slice(0, 200)}; log in native/build/build.log)`;
  skip(line, `the addon failed to build at install time (${first.trim().slice(0, 200)}; log in native/build/build.log)`);
}
console.log(`${TAG} native backend built (oneDNN)`);
