import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Local files of the server (the SQLite database, the generated key-encryption key) are private to
 * the user it runs as: the data directory 0700, files 0600. They hold signing keys (sealed) and
 * credential hashes; nobody else on the machine has any business reading them.
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) with mode 0700. A directory that already exists is left as
 * it is — the operator may have chosen its mode — but `warn` hears when others can enter or read it.
 */
export function ensurePrivateDir(dir: string, warn: (message: string) => void = () => undefined): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) {
    // mkdir applies the umask; the data directory is ours, so its mode is exactly 0700.
    chmodSync(dir, PRIVATE_DIR_MODE);
    return;
  }
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    warn(`the data directory ${dir} is accessible to other users (mode ${mode.toString(8)}); its files are private (0600), but consider chmod 700`);
  }
}

/** Creates `file` empty when missing, and makes it (new or not) readable and writable by its owner only. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Makes an existing file private; does nothing when it does not exist. */
export function restrictIfPresent(file: string): void {
  try {
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
