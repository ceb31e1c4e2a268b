/**
 * The backend the model tests train on: wasm by default, `native` or `webgpu` with
 * FA_TEST_BACKEND (.ci/run runs the whole suite on native, and the model tests on webgpu on a
 * software device). The pure-JS cpu backend stays the reference.
 */
const chosen = process.env.FA_TEST_BACKEND;
export const TRAIN_BACKEND: 'wasm' | 'native' | 'webgpu' = chosen === 'native' || chosen === 'webgpu' ? chosen : 'wasm';
