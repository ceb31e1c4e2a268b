/**
 * The backend the model tests train on: wasm by default, `native` with FA_TEST_BACKEND=native
 * (.ci/run runs the whole suite both ways). The pure-JS cpu backend stays the reference.
 */
export const TRAIN_BACKEND: 'wasm' | 'native' = process.env.FA_TEST_BACKEND === 'native' ? 'native' : 'wasm';
