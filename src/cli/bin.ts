#!/usr/bin/env node
// The command line: `fourier-augmix <command>`. bin/fourier-augmix.js starts the built copy of this file.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
