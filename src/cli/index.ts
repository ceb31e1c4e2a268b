// The command line as a function, for embedding or testing: `fourier-augmix/cli`.
export { main, type MainIO } from './main.ts';
