#!/usr/bin/env node
// Runs shell commands side by side and fails when any of them fails:
//   node scripts/parallel.mjs "npm run lint:eslint" "npm run typecheck"
// Each command's output is printed in one piece when it ends (not interleaved), with its time and exit code.
// `npm run lint` uses it: its checks read the sources and write nothing the others read.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const commands = process.argv.slice(2);
if (!commands.length) {
  console.error('usage: node scripts/parallel.mjs "<command>" ["<command>" …]');
  process.exit(64);
}

const results = await Promise.all(
  commands.map(
    (command) =>
      new Promise((resolve) => {
        const started = performance.now();
        const chunks = [];
        const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (c) => chunks.push(c));
        child.stderr.on('data', (c) => chunks.push(c));
        child.on('close', (code, signal) => {
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          const status = code === 0 ? 'ok' : `failed (${signal ?? `exit ${code}`})`;
          process.stdout.write(`\n── ${command}: ${status} in ${seconds} s\n${Buffer.concat(chunks).toString()}`);
          resolve(code === 0);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
