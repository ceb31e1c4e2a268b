'use strict';
// jest's node environment for every test (jest.config.js). jest already gives the sandbox the
// outer realm's ArrayBuffer and Uint8Array (for TextEncoder's sake); onnxruntime's native binding
// builds its output tensors from the outer realm's Float32Array, which the sandbox's Tensor class
// then refuses (`instanceof`), and msgpackr's `instanceof` checks miss the sandbox's typed
// arrays likewise. A plain Node process has one realm, so this restores what
// production sees: every typed array constructor from the outer realm.
const { TestEnvironment } = require('jest-environment-node');

const TYPED = [
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

module.exports = class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED) this.global[name] = globalThis[name];
  }
};
