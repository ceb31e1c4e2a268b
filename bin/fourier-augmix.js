#!/usr/bin/env node
// The package runs its TypeScript sources through tsx: pipeline files and user primitives
// are TypeScript loaded at run time anyway, so one loader serves the CLI, workers and tests.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
