import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `portcullis login` keeps between commands. Never an API key: a refresh token renews the session. */
export interface Session {
  url: string;
  accountId: string;
  iamId: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds since the epoch at which the access token expires. */
  expiration: number;
  /** The token client the session was granted to (a password login's), which its refresh must name. */
  client?: string;
}

export interface CliConfig {
  session?: Session;
}

/** `$PORTCULLIS_HOME`, else `~/.portcullis`. */
export const homeDir = (): string => process.env.PORTCULLIS_HOME || join(homedir(), '.portcullis');
export const configPath = (): string => join(homeDir(), 'config.json');

/** The stored configuration; an absent or unreadable file is an empty one. */
export function readConfig(): CliConfig {
  try {
    return JSON.parse(readFileSync(configPath(), 'utf8')) as CliConfig;
  } catch {
    return {};
  }
}

/**
 * Writes the configuration atomically: the folder private to the user (0700), the file 0600 from
 * the moment it exists (a temporary file renamed over the old one), whatever the umask.
 */
export function writeConfig(config: CliConfig): void {
  const dir = homeDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = join(dir, `config.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, configPath());
}

export function clearSession(): void {
  const config = readConfig();
  delete config.session;
  if (Object.keys(config).length === 0) rmSync(configPath(), { force: true });
  else writeConfig(config);
}
