// `npm run start:dev`: the TypeScript compiler in watch mode, and the gateway under `node --watch`, started once the
// first compilation is written, so that it restarts on every later one. Replaces `nest start --watch` (the Nest CLI's
// tooling declares Node >= 22, which popgate does not require). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

// As `npm run build` does: no output of a deleted source survives to be imported.
rmSync('dist', { recursive: true, force: true });

const compiler = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let gateway;

compiler.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  // tsc prints "Found N errors. Watching for file changes." after each compilation; it emits even with errors.
  if (!gateway && /Watching for file changes/.test(String(chunk))) {
    gateway = spawn(process.execPath, ['--watch', '--watch-preserve-output', '--max-semi-space-size=64', 'dist/src/main.js'], { stdio: 'inherit' });
    gateway.on('exit', (code) => stop(code ?? 0));
  }
});
compiler.on('exit', (code) => stop(code ?? 0));

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  compiler.kill('SIGTERM');
  gateway?.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
