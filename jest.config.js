import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Tests run the TypeScript sources directly (swc strips types); worker threads load
// the same sources through tsx, so tests exercise exactly what the CLI runs.

// Set here, in jest's own process, so that its workers inherit it: Mesa's EGL reads the real
// environment, which a test's process.env (a copy) does not reach. The backend sets the same
// default itself in a plain Node process.
process.env.EGL_PLATFORM ??= 'surfaceless';
// Decoded image folders are cached here rather than in the user's ~/.cache.
process.env.XDG_CACHE_HOME = join(tmpdir(), 'fourier-augmix-test-cache');

export default {
  // jest's node environment with the outer realm's typed arrays, as a plain Node process has
  // (onnxruntime's native outputs are made of them): test/hostTypedArraysEnvironment.cjs.
  testEnvironment: '<rootDir>/test/hostTypedArraysEnvironment.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } },
    ],
  },
  testTimeout: 60000,
};
