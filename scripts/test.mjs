#!/usr/bin/env node
// `npm test`: the typecheck, then the vitest suite on SQLite, then — when PORTCULLIS_TEST_DATABASE_URL
// names a PostgreSQL server — the same suite on PostgreSQL. Ends with one plain line,
//
//   tests: N passed, N failed
//
// (both runs summed), and exits non-zero when the typecheck or any test failed. Extra arguments go to
// vitest on both runs: `npm test -- test/conformance`. `npm run test:pg` brings its own PostgreSQL.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const tscBin = require.resolve('typescript/bin/tsc');
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const extraArgs = process.argv.slice(2);
// The JSON reports stay after the run (git-ignored), so the paths vitest prints remain valid.
const outDir = join(root, 'node_modules', '.cache', 'portcullis-test');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const banner = (text) => process.stdout.write(`\n==== ${text} ====\n`);

function run(args, env, command = process.execPath) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.error) process.stderr.write(`test: could not start ${args[0]}: ${result.error.message}\n`);
  return result.status ?? 1;
}

/** Runs vitest once; returns its pass/fail counts from the JSON report (plus a failure for a broken run). */
function vitest(label, env) {
  banner(`vitest on ${label}`);
  const report = join(outDir, `${label.toLowerCase()}.json`);
  const status = run(
    [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs],
    env,
  );
  let passed = 0;
  let failed = 0;
  const notes = [];
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests ?? 0;
    failed = json.numFailedTests ?? 0;
    // A test file that fails to load or whose hooks fail has no failed tests of its own: count it.
    for (const file of json.testResults ?? []) {
      const results = file.assertionResults ?? [];
      if (file.status === 'failed' && !results.some((t) => t.status === 'failed')) {
        failed += 1;
        notes.push(`file failed outside its tests: ${file.name}`);
      }
    }
  } else if (status === 0) {
    notes.push('no report written');
  }
  // vitest exits non-zero on unhandled errors even when every test passed; that is a failure too.
  if (status !== 0 && failed === 0) {
    failed = 1;
    notes.push(`vitest exited with status ${status}`);
  }
  for (const note of notes) process.stdout.write(`${label}: ${note}\n`);
  process.stdout.write(`${label}: ${passed} passed, ${failed} failed\n`);
  return { passed, failed };
}

banner('typecheck');
// Through npm so that the `typecheck` script stays the one definition of the typecheck.
const npm = process.env.npm_execpath;
const typecheckOk = (npm && npm.endsWith('.js')
  ? run([npm, 'run', '--silent', 'typecheck'], process.env)
  : run([tscBin, '-p', 'tsconfig.json', '--noEmit'], process.env)) === 0;
if (!typecheckOk) process.stdout.write('typecheck: FAILED (errors above); running the tests anyway\n');

// The browser tests (test/console) drive the built console: build it from the current sources.
banner('console build');
const consoleBuild = ['run', '--silent', 'build', '-w', 'console'];
const consoleOk = (npm && npm.endsWith('.js') ? run([npm, ...consoleBuild], process.env) : run(consoleBuild, process.env, 'npm')) === 0;
if (!consoleOk) process.stdout.write('console build: FAILED (errors above); running the tests anyway\n');

const runs = [];
const sqliteEnv = { ...process.env };
delete sqliteEnv.PORTCULLIS_TEST_DATABASE_URL;
runs.push(vitest('SQLite', sqliteEnv));
if (process.env.PORTCULLIS_TEST_DATABASE_URL) {
  runs.push(vitest('PostgreSQL', process.env));
} else {
  process.stdout.write('\nPostgreSQL: skipped (set PORTCULLIS_TEST_DATABASE_URL, or run `npm run test:pg`)\n');
}

const passed = runs.reduce((n, r) => n + r.passed, 0);
const failed = runs.reduce((n, r) => n + r.failed, 0);
process.stdout.write('\n');
if (!typecheckOk) process.stdout.write('typecheck: FAILED\n');
if (!consoleOk) process.stdout.write('console build: FAILED\n');
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(typecheckOk && consoleOk && failed === 0 ? 0 : 1);
