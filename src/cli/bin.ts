#!/usr/bin/env -S node --max-semi-space-size=4
// A young generation of at most 4 MB a half (V8's default grows to 16): the training loop allocates little,
// and the default's room was ~7 MB of the README run's peak memory, at no measured cost in time. npm start
// passes the same flag (package.json).
import { main } from './program.ts';

process.exitCode = await main();
