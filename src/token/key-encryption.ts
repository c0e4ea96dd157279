import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictIfPresent } from '../store/files.js';

/**
 * The key-encryption key (KEK) seals the signing private keys stored in the database, so that a
 * copy of the database (a backup, a dump, a reader of the SQLite file, a PostgreSQL role that can
 * read the table) cannot mint tokens. The KEK itself never enters the database.
 */
export interface KeyEncryption {
  /** Seals `plaintext`, bound to `context` (authenticated, not stored): `v1.<iv>.<ciphertext>.<tag>`. */
  seal(plaintext: string, context: string): string;
  /**
   * Opens what `seal` made with the same context. Throws KeyEncryptionKeyMismatch when the value
   * does not authenticate under this KEK (another KEK sealed it, or it was altered).
   */
  open(sealed: string, context: string): string;
  /**
   * The value sealed again under the current KEK when only a previous KEK opens it (rotation);
   * undefined when the current KEK opens it already. Throws like `open` when no KEK does.
   */
  resealed(sealed: string, context: string): string | undefined;
}

export class KeyEncryptionKeyMismatch extends Error {
  constructor(what: string) {
    super(
      `The key-encryption key does not match the one the signing keys were encrypted with (${what} does not decrypt). ` +
        'Give this node the key-encryption key the other nodes use (PORTCULLIS_KEY_ENCRYPTION_KEY or PORTCULLIS_KEY_ENCRYPTION_KEY_FILE).',
    );
    this.name = 'KeyEncryptionKeyMismatch';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The envelope's version: a later format (another cipher, a KEK id) gets another prefix. */
const VERSION = 'v1';

/**
 * AES-256-GCM with a random 96-bit IV per value; the context (the key id) is the additional
 * authenticated data. `previous` KEKs (during a rotation) open values but never seal.
 */
export function keyEncryption(kek: Buffer, previous: readonly Buffer[] = []): KeyEncryption {
  for (const k of [kek, ...previous]) {
    if (k.length !== KEY_BYTES) throw new Error(`a key-encryption key has ${KEY_BYTES} bytes, got ${k.length}`);
  }
  const key = Buffer.from(kek);
  const older = previous.map((k) => Buffer.from(k));

  const seal = (plaintext: string, context: string) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  };

  /** The plaintext under `with`, or undefined when the GCM tag does not verify. */
  const openWith = (with_: Buffer, sealed: string, context: string): string | undefined => {
    const [version, iv, ciphertext, tag, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) {
      throw new Error(`not a sealed value of a known version (${context})`);
    }
    const decipher = createDecipheriv('aes-256-gcm', with_, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // GCM's tag check is the only failure here: another key (or an altered value).
      return undefined;
    }
  };

  const openAny = (sealed: string, context: string): { plaintext: string; current: boolean } => {
    const plaintext = openWith(key, sealed, context);
    if (plaintext !== undefined) return { plaintext, current: true };
    for (const k of older) {
      const opened = openWith(k, sealed, context);
      if (opened !== undefined) return { plaintext: opened, current: false };
    }
    throw new KeyEncryptionKeyMismatch(`signing key ${context}`);
  };

  return {
    seal,
    open: (sealed, context) => openAny(sealed, context).plaintext,
    resealed(sealed, context) {
      const { plaintext, current } = openAny(sealed, context);
      return current ? undefined : seal(plaintext, context);
    },
  };
}

/** 32 bytes as 64 hex digits, or as base64 / base64url (padding optional). */
export function parseKeyEncryptionKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/=$/, ''), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new Error(`${source} must be ${KEY_BYTES} random bytes, base64 or hex encoded (e.g. the output of \`openssl rand -base64 32\`)`);
}

/** Where the embedded (SQLite) default KEK is generated on first start. */
export const defaultKeyFile = (dataDir: string) => join(dataDir, 'key-encryption.key');

export interface KeyEncryptionKeySource {
  /** PORTCULLIS_KEY_ENCRYPTION_KEY: the KEK itself, base64 or hex. */
  key: string;
  /** PORTCULLIS_KEY_ENCRYPTION_KEY_FILE: a file holding the KEK, base64 or hex. */
  keyFile: string;
  /** PORTCULLIS_KEY_ENCRYPTION_KEY_PREVIOUS: the KEK being rotated away from (opens, never seals). */
  previousKey: string;
  dialect: 'sqlite' | 'postgres';
  dataDir: string;
  /** An in-memory database (tests): a KEK for this process only. */
  memory?: boolean;
}

/** The current KEK and the previous one of a rotation (when configured). */
export interface KeyEncryptionKeys {
  current: Buffer;
  previous: Buffer[];
}

/**
 * The KEK of this node: the configured one, else on SQLite the one in the data directory (generated
 * 0600 on first start). On PostgreSQL every node must be given the same KEK, so none is ever
 * generated there: a node without one refuses to start.
 */
export function loadKeyEncryptionKeys(source: KeyEncryptionKeySource): KeyEncryptionKeys {
  const previous = source.previousKey ? [parseKeyEncryptionKey(source.previousKey, 'PORTCULLIS_KEY_ENCRYPTION_KEY_PREVIOUS')] : [];
  if (previous.length > 0 && !source.key && !source.keyFile) {
    throw new Error('PORTCULLIS_KEY_ENCRYPTION_KEY_PREVIOUS is set: set the new key in PORTCULLIS_KEY_ENCRYPTION_KEY or PORTCULLIS_KEY_ENCRYPTION_KEY_FILE');
  }
  return { current: currentKey(source), previous };
}

function currentKey(source: KeyEncryptionKeySource): Buffer {
  if (source.key && source.keyFile) {
    throw new Error('Set either PORTCULLIS_KEY_ENCRYPTION_KEY or PORTCULLIS_KEY_ENCRYPTION_KEY_FILE, not both');
  }
  if (source.key) return parseKeyEncryptionKey(source.key, 'PORTCULLIS_KEY_ENCRYPTION_KEY');
  if (source.keyFile) return readKeyFile(source.keyFile, `PORTCULLIS_KEY_ENCRYPTION_KEY_FILE (${source.keyFile})`);
  if (source.dialect === 'postgres') {
    throw new Error(
      'PostgreSQL needs a key-encryption key, the same on every node, to protect the signing keys: set ' +
        'PORTCULLIS_KEY_ENCRYPTION_KEY (32 random bytes, base64 or hex: `openssl rand -base64 32`) or ' +
        'PORTCULLIS_KEY_ENCRYPTION_KEY_FILE. None is generated for PostgreSQL, so that nodes never disagree.',
    );
  }
  if (source.memory) return randomBytes(KEY_BYTES);
  return generatedKey(source.dataDir);
}

/** The KEKs the configuration gives this node (see loadKeyEncryptionKeys). */
export const keyEncryptionKeysOf = (config: Config, memory = false): KeyEncryptionKeys =>
  loadKeyEncryptionKeys({
    key: config.keyEncryptionKey,
    keyFile: config.keyEncryptionKeyFile,
    previousKey: config.keyEncryptionKeyPrevious,
    dialect: config.databaseUrl ? 'postgres' : 'sqlite',
    dataDir: config.dataDir,
    memory,
  });

function readKeyFile(file: string, what: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what}: ${(error as Error).message}`);
  }
  return parseKeyEncryptionKey(text, what);
}

/**
 * The data directory's KEK, generated (0600) when missing. It is written to a temporary file and
 * linked into place, which fails when the file exists: of concurrent first starts, one key wins and
 * every process reads that one, never a half-written file.
 */
function generatedKey(dataDir: string): Buffer {
  ensurePrivateDir(dataDir);
  const file = defaultKeyFile(dataDir);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Ours by name: a copy an operator left readable by others is tightened.
    restrictIfPresent(file);
  } finally {
    unlinkSync(draft);
  }
  return readKeyFile(file, file);
}
