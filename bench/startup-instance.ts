/**
 * One bot instance for bench/startup.ts, in a process of its own: the configuration from the
 * environment, createApp, start; prints one JSON line with the time from process start to
 * listening and the time app.start() took, then stops.
 */
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';

const app = createApp(loadConfig());
const t0 = performance.now();
await app.start();
const listening = performance.now(); // performance.now() counts from the process's start
process.stdout.write(`${JSON.stringify({ processMs: listening, startMs: listening - t0 })}\n`);
await app.stop();
