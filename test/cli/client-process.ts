import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { CliResult } from './portcullis-process.js';

/**
 * The `portcullis` client commands as a user runs them: a child process (`node --import tsx
 * cli/main.ts …`) with its own PORTCULLIS_HOME (a temporary folder standing for `~/.portcullis`),
 * stdin closed unless `input` is given, and none of our PORTCULLIS_* variables unless `env` sets them.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliUser {
  home: string;
  run(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<CliResult>;
  /** Runs with `--output json`, expects exit 0, and parses stdout. */
  json<T = unknown>(args: string[]): Promise<T>;
  /** Runs and expects exit 0. */
  ok(args: string[]): Promise<string>;
  remove(): void;
}

export function cliUser(): CliUser {
  const home = mkdtempSync(join(tmpdir(), 'portcullis-cli-home-'));
  const run = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
    new Promise<CliResult>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PORTCULLIS_') && key !== 'NODE_OPTIONS') env[key] = value;
      Object.assign(env, { PORTCULLIS_HOME: home }, options.env);
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(options.input ?? '');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const ok = async (args: string[]) => {
    const result = await run(args);
    if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  return {
    home,
    run,
    ok,
    json: async <T>(args: string[]) => JSON.parse(await ok([...args, '--output', 'json'])) as T,
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * One live server for a test file and the CLI users it makes (each with its own home), all removed
 * after the file. `ready` receives the server and, with `loggedIn`, a user logged in with the
 * owner's API key; `fresh()` makes another user, not logged in.
 */
export function useCliServer(options: { loggedIn?: boolean }, ready: (server: TestServer, cli: CliUser) => void): { fresh(): CliUser } {
  const users: CliUser[] = [];
  let server: TestServer | undefined;
  const fresh = () => {
    const user = cliUser();
    users.push(user);
    return user;
  };
  beforeAll(async () => {
    server = await startTestServer();
    const cli = fresh();
    if (options.loggedIn) await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    ready(server, cli);
  });
  afterAll(async () => {
    for (const user of users) user.remove();
    await server?.close();
  });
  return { fresh };
}
