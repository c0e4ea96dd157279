import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CliError, fromThrown } from './client/errors.js';
import { registerLogin } from './client/login.js';
import { registerIam } from './iam/index.js';
import { registerAuthz } from './authz/index.js';
import { registerTransfer } from './transfer/index.js';
import type { Config } from '../src/config.js';

/**
 * The `portcullis` command: the server's commands (serve, migrate, bootstrap, keys rotate; flags
 * override `PORTCULLIS_*` variables) and the client's (login, iam …, authz …, export, import),
 * whose client is the official IBM SDK. Exit codes: 0 done, 1 error, 2 bad command line.
 */
const { version } = JSON.parse(readFileSync(new URL(import.meta.url.includes('/dist/cli/') ? '../../package.json' : '../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('portcullis').description('Self-hosted IAM that speaks IBM Cloud IAM APIs').version(version);

const serverOptions = (command: Command) =>
  command
    .addOption(new Option('--host <host>', 'address to listen on (PORTCULLIS_HOST)'))
    .addOption(new Option('--port <port>', 'port to listen on (PORTCULLIS_PORT)').argParser((v) => Number.parseInt(v, 10)))
    .addOption(new Option('--data-dir <dir>', 'directory of the embedded SQLite database (PORTCULLIS_DATA_DIR)'))
    .addOption(new Option('--database-url <url>', 'postgres://… to use PostgreSQL (PORTCULLIS_DATABASE_URL)'))
    .addOption(new Option('--public-url <url>', 'base URL clients use (PORTCULLIS_PUBLIC_URL)'))
    .addOption(new Option('--log-level <level>', 'pino log level (PORTCULLIS_LOG_LEVEL)'))
    .addOption(new Option('--key-encryption-key-file <file>', 'file of the key that seals signing keys (PORTCULLIS_KEY_ENCRYPTION_KEY_FILE)'))
    .addOption(new Option('--smtp-url <url>', 'smtp(s):// server for invitation e-mail; default: .eml files in <data-dir>/outbox (PORTCULLIS_SMTP_URL)'))
    .addOption(new Option('--no-migrate', 'do not apply pending migrations at start'));

interface ServerFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  publicUrl?: string;
  logLevel?: string;
  keyEncryptionKeyFile?: string;
  smtpUrl?: string;
  migrate?: boolean;
}

// The server's modules load only for the server's commands, so client commands start fast.
const server = () => import('../src/main.js');
const registryModule = () => import('../src/registry.js');

async function configFrom(flags: ServerFlags): Promise<Config> {
  const { loadConfig } = await import('../src/config.js');
  return loadConfig({
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.port !== undefined && { port: flags.port }),
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
    ...(flags.publicUrl !== undefined && { publicUrl: flags.publicUrl }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
    ...(flags.keyEncryptionKeyFile !== undefined && { keyEncryptionKeyFile: flags.keyEncryptionKeyFile }),
    ...(flags.smtpUrl !== undefined && { mail: { smtpUrl: flags.smtpUrl } }),
    ...(flags.migrate === false && { autoMigrate: false }),
  });
}

const where = (config: Config) => (config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`);

serverOptions(program.command('serve').description('start the server (bootstraps an empty database)'))
  .option('--owner <login>', 'login of the first account owner when bootstrapping', 'admin@portcullis.local')
  .action(async (flags: ServerFlags & { owner: string }) => {
    const config = await configFrom(flags);
    const { startServer, bootstrapIfEmpty } = await server();
    const running = await startServer(config);
    const stop = () => void running.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const listening = `Portcullis listens on ${running.url} (${where(config)})`;
    if (!config.autoMigrate) {
      // Listening already, serving only /healthz and /readyz until the schema is current.
      process.stdout.write(`${listening}\nWaiting for pending migrations (portcullis migrate); /readyz names them.\n`);
    }
    const created = await bootstrapIfEmpty(await running.ready, flags.owner);
    const lines = config.autoMigrate ? [listening] : ['The schema is current: serving every API.'];
    const { builtConsoleDir } = await import('../src/http/console.js');
    if (existsSync(join(builtConsoleDir(), 'index.html'))) lines.push(`Console: ${running.url}/console/ (sign in with an API key, or a password once one is set)`);
    if (created) {
      lines.push(
        '',
        'First start: created an account and its owner.',
        `  account_id: ${created.account_id}`,
        `  iam_id:     ${created.iam_id}`,
        `  API key:    ${created.apikey}   (shown once; store it now)`,
        '',
        'Get a token:',
        `  curl -s -X POST ${running.url}/identity/token -d grant_type=urn:ibm:params:oauth:grant-type:apikey -d apikey=${created.apikey}`,
        `Or point the IBM Cloud SDK at it: IamAuthenticator({ apikey, url: "${running.url}" }) and serviceUrl "${running.url}".`,
        `Or log in with the CLI: portcullis login --apikey ${created.apikey} -a ${running.url}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });

serverOptions(program.command('migrate').description('apply pending database migrations')).action(async (flags: ServerFlags) => {
  const config = await configFrom(flags);
  const { migrate } = await server();
  const applied = await migrate(config);
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The schema is up to date.\n');
});

serverOptions(program.command('bootstrap').description('create the first account, its owner and an owner API key'))
  .option('--owner <login>', 'login of the account owner', 'admin@portcullis.local')
  .option('--json', 'print {"account_id","iam_id","apikey","url"} as JSON')
  .action(async (flags: ServerFlags & { owner: string; json?: boolean }) => {
    const config = await configFrom(flags);
    const [{ createRegistry }, { bootstrapIfEmpty }, { publicUrlOf }] = await Promise.all([registryModule(), server(), import('../src/config.js')]);
    const registry = await createRegistry(config);
    registry.site.url = publicUrlOf(config, config.port);
    try {
      const created = await bootstrapIfEmpty(registry, flags.owner);
      if (!created) {
        process.stderr.write('The database already holds an account; bootstrap runs only once.\n');
        process.exitCode = 1;
        return;
      }
      const text = flags.json
        ? JSON.stringify(created)
        : Object.entries(created).map(([key, value]) => `${key} ${value}`).join('\n');
      process.stdout.write(`${text}\n`);
    } finally {
      await registry.close();
    }
  });

const keys = program.command('keys').description('token signing keys');
serverOptions(keys.command('rotate').description('start signing with a new key now (running nodes follow within a minute)')).action(
  async (flags: ServerFlags) => {
    const { createRegistry } = await registryModule();
    const registry = await createRegistry(await configFrom(flags));
    try {
      await registry.signingKeys.rotate();
      process.stdout.write(`Now signing with key ${registry.signingKeys.current().kid}\n`);
    } finally {
      await registry.close();
    }
  },
);

const iam = program.command('iam').description('identities, access groups, policies and roles, as `ibmcloud iam`');
registerLogin(program, iam);
registerIam(iam);
registerAuthz(program);
registerTransfer(program);

// Usage errors exit 2 everywhere (commander prints them), --help and --version exit 0.
program.exitOverride();
for (const command of program.commands.flatMap(function all(c: Command): Command[] { return [c, ...c.commands.flatMap(all)]; })) command.exitOverride();

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const failure = error instanceof CliError ? error : fromThrown(error);
  const lines = ['FAILED', failure.message, ...(failure.transactionId ? [`Transaction-Id: ${failure.transactionId}`] : [])];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(failure.exitCode);
});
