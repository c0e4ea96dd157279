import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEY_ENCRYPTION_KEY, type TestDatabase } from '../helpers/database.js';

/**
 * The real `portcullis` command as a child process (`node --import tsx cli/main.ts …`), for tests
 * that need a process boundary: crashes, restarts, the migrate command.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The child's environment: ours without PORTCULLIS_* settings, so only the flags decide. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PORTCULLIS_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return env;
}

const spawnCli = (args: string[]) =>
  spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The flags that point a command at a test database (SQLite dir, or PostgreSQL URL and the
 * key-encryption key every node of it shares, in a file of the test's data directory).
 */
export function databaseFlags(db: TestDatabase): string[] {
  if (!db.databaseUrl) return ['--data-dir', db.dataDir];
  const keyFile = join(db.dataDir, 'test-key-encryption.key');
  writeFileSync(keyFile, TEST_KEY_ENCRYPTION_KEY, { mode: 0o600 });
  return ['--data-dir', db.dataDir, '--database-url', db.databaseUrl, '--key-encryption-key-file', keyFile];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command to completion (killed after `timeoutMs`). */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed on stdout so far (the first-start banner holds the API key). */
  stdout(): string;
  stderr(): string;
  /** The first-start bootstrap, when this start created the first account. */
  bootstrap?: { accountId: string; apikey: string };
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (no shutdown hooks run); resolves when the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `portcullis serve` on 127.0.0.1 and an ephemeral port, and resolves once it prints its
 * `listens on http://…` line (rejects when it exits first or takes longer than `timeoutMs`).
 */
export function startServe(extraArgs: string[], timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...extraArgs]);
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`serve did not report its address within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    const check = () => {
      const listen = /listens on (http:\/\/\S+)/.exec(out);
      // The start-up banner is one write ending in a newline; wait for all of it.
      if (!listen || !out.endsWith('\n')) return;
      clearTimeout(timer);
      const account = /account_id:\s+(\S+)/.exec(out);
      const apikey = /API key:\s+(\S+)/.exec(out);
      resolve({
        child,
        url: listen[1]!,
        stdout: () => out,
        stderr: () => err,
        ...(account && apikey && { bootstrap: { accountId: account[1]!, apikey: apikey[1]! } }),
        exited,
        kill,
      });
    };
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (code ${code}, signal ${signal}) before listening\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

/** Resolves once `read()` satisfies `done`, polling (the child's stdout arrives asynchronously). */
export async function until(read: () => string, done: (text: string) => boolean, ms = 10_000): Promise<string> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (done(read())) return read();
  }
  throw new Error(`timed out waiting for the log:\n${read()}`);
}
