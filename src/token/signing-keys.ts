import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../kernel/clock.js';
import type { Db } from '../store/db.js';
import type { Writer } from '../store/unit-of-work.js';
import type { KeyEncryption } from './key-encryption.js';
import { createTokenStore, type SigningKeyRow } from './store.js';
import { MAX_ACCESS_TOKEN_SECONDS, type PublicJwk } from './types.js';

export interface SigningKeysDeps {
  db: Db;
  writer: Writer;
  clock: Clock;
  /** How long a key signs before the next one takes over, in seconds. */
  rotationSeconds: number;
  /** Seals private keys before they are stored and opens them when loaded (the node's KEK). */
  keyEncryption: KeyEncryption;
}

export interface SigningKeys {
  /**
   * Loads the keys from the database, seals under the current KEK the ones that are not (stored
   * plain before migration 009, or under the previous KEK of a rotation), creates the first key if there is none usable, and starts the rotation timer. Rejects with
   * KeyEncryptionKeyMismatch when a stored key does not decrypt under this node's KEK.
   */
  start(): Promise<void>;
  stop(): void;
  /** Makes a new key the signing key now; the previous one stays published until its tokens expire. */
  rotate(): Promise<void>;
  /** The key new tokens are signed with. Throws before start(). */
  current(): { kid: string; key: CryptoKey };
  /** The published public keys (newest first), IBM's JWKS shape: without `use`. */
  jwks(): { keys: PublicJwk[] };
  /** The public key of a published kid, from memory; undefined when unknown or expired. */
  verificationKey(kid: string): CryptoKey | undefined;
  /**
   * Like verificationKey, but an unknown kid first reloads the keys from the database (another node
   * may have rotated): at most one reload per second per process, shared by concurrent callers.
   */
  resolve(kid: string): Promise<CryptoKey | undefined>;
}

interface LoadedKey {
  kid: string;
  retiresAt: number;
  expiresAt: number;
  publicJwk: PublicJwk;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** An unknown kid reloads the keys at most this often (a cheap guard against forged-kid floods). */
const UNKNOWN_KID_RELOAD_MS = 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * IBM-style kid: the creation minute as `yyyyMMddHHmm` (tokens.md §6), plus a random suffix so
 * keys made in the same minute (commanded rotations, several nodes) never collide.
 */
function kidAt(at: Date): string {
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

async function importKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, 'RS256');
  if (key instanceof Uint8Array) throw new Error('signing key is not an RSA key');
  return key;
}

/**
 * RS256 signing keys, shared by every node through the `signing_keys` table.
 *
 * Lifecycle of a key: it signs from its creation until `retires_at` (creation + rotationSeconds,
 * or the moment a newer key supersedes it), and stays in the JWKS until `expires_at` = the moment
 * it stopped signing + the longest access-token lifetime + one maintenance period (another node
 * may keep signing with it until its next reload). Then it is deleted.
 *
 * At rest: the private key is stored sealed under the node's key-encryption key (AES-256-GCM, the
 * kid as additional data, so a sealed key cannot be moved to another row); decrypted keys exist
 * only in this process's memory, as non-exported CryptoKeys.
 *
 * Multi-node: every node reloads the keys each maintenance period, and on an unknown kid (rate
 * limited). Creating a key takes the change-feed head row lock first and re-checks under it, so
 * two nodes starting (or rotating on schedule) at once create one key, not two; the creator
 * reloads after its insert, so it signs with what every other node can read.
 */
export function createSigningKeys(deps: SigningKeysDeps): SigningKeys {
  const { writer, clock, keyEncryption } = deps;
  const store = createTokenStore(deps.db);
  const rotationMs = Math.max(1, deps.rotationSeconds) * 1000;
  /** How often a node reloads keys and checks whether rotation is due. */
  const periodMs = Math.min(60_000, Math.max(1000, Math.floor(rotationMs / 4)));
  const maxTokenMs = MAX_ACCESS_TOKEN_SECONDS * 1000;

  let keys: LoadedKey[] = [];
  let byKid = new Map<string, LoadedKey>();
  let lastReload = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | null = null;
  let rotating: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  async function toLoaded(row: SigningKeyRow): Promise<LoadedKey> {
    const known = byKid.get(row.kid);
    const retiresAt = Date.parse(row.retires_at);
    const expiresAt = Date.parse(row.expires_at);
    // Importing is costly; a known key only has its (changeable) dates refreshed.
    if (known) return { ...known, retiresAt, expiresAt };
    const publicJwk = JSON.parse(row.public_jwk) as PublicJwk;
    const privateJwk = row.private_key_encryption === 'none' ? row.private_key : keyEncryption.open(row.private_key, row.kid);
    return {
      kid: row.kid,
      retiresAt,
      expiresAt,
      publicJwk,
      privateKey: await importKey(JSON.parse(privateJwk) as JWK),
      publicKey: await importKey(publicJwk),
    };
  }

  /**
   * Seals under the current KEK the keys that are not: those migration 009 marked as plain, and
   * during a KEK rotation those only the previous KEK opens. Runs after a load, which proved that
   * every sealed key opens under a KEK of this node (a node with another KEK fails before it
   * writes anything). Each update is conditional on the row still holding what was read: of
   * nodes starting at once, one seals each key.
   */
  async function sealUnderCurrentKey(): Promise<void> {
    const rows = keys.length === 0 ? [] : await store.listSigningKeys();
    const updates = rows.flatMap((row) => {
      const sealed =
        row.private_key_encryption === 'none' ? keyEncryption.seal(row.private_key, row.kid) : keyEncryption.resealed(row.private_key, row.kid);
      return sealed === undefined ? [] : [{ row, sealed }];
    });
    if (updates.length === 0) return;
    await writer.write(async (w) => {
      for (const { row, sealed } of updates) {
        if (!(await store.resealSigningKey(w.trx, row.kid, row.private_key, sealed))) continue;
        w.audit({
          requestId: `signing-key-${row.kid}`,
          initiatorIamId: 'system',
          initiatorAccountId: null,
          accountId: null,
          action: 'iam-identity.signing-key.seal',
          targetType: 'signing_key',
          targetId: row.kid,
          detail: { reason: row.private_key_encryption === 'none' ? 'stored plain before migration 009' : 'key-encryption key rotation' },
        });
      }
    });
  }

  async function load(): Promise<void> {
    lastReload = performance.now();
    const rows = await store.listSigningKeys();
    const loaded = await Promise.all(rows.map(toLoaded));
    keys = loaded;
    byKid = new Map(loaded.map((k) => [k.kid, k]));
  }

  const reload = (): Promise<void> => (reloading ??= load().finally(() => (reloading = null)));

  /**
   * Creates a key and makes it the signing key. With `onlyIfDue`, does nothing when (under the
   * lock) the newest stored key is still within its signing period: another node rotated first.
   */
  async function create(onlyIfDue: boolean): Promise<void> {
    // Generation takes ~100 ms: done before the transaction so the lock is held briefly.
    const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const { kty, n, e } = await exportJWK(pair.publicKey);
    await writer.write(async (w) => {
      await store.lockSigningKeys(w.trx);
      const now = clock.now();
      const [newest] = await store.listSigningKeys(w.trx);
      if (onlyIfDue && newest && Date.parse(newest.retires_at) > now.getTime()) return;
      const kid = kidAt(now);
      if (newest) {
        // It signs until now here (and until their next reload on other nodes): its last tokens
        // expire within the longest lifetime plus one period from now.
        const retiredAt = Math.min(Date.parse(newest.retires_at), now.getTime());
        const expiresAt = now.getTime() + maxTokenMs + periodMs;
        await store.supersedeSigningKey(w.trx, newest.kid, new Date(retiredAt).toISOString(), new Date(expiresAt).toISOString());
      }
      await store.deleteExpiredSigningKeys(w.trx, now.toISOString());
      // Strictly newer than every stored key (even with clock skew between nodes), so "newest" is
      // unambiguous and every node picks this key to sign with.
      const createdAt = Math.max(now.getTime(), newest ? Date.parse(newest.created_at) + 1 : 0);
      const retiresAt = createdAt + rotationMs;
      await store.insertSigningKey(w.trx, {
        kid,
        private_key: keyEncryption.seal(JSON.stringify({ ...privateJwk, alg: 'RS256', kid }), kid),
        private_key_encryption: 'aes-256-gcm',
        public_jwk: JSON.stringify({ kty, n, e, alg: 'RS256', kid }),
        created_at: new Date(createdAt).toISOString(),
        retires_at: new Date(retiresAt).toISOString(),
        expires_at: new Date(retiresAt + maxTokenMs + periodMs).toISOString(),
      });
      w.changed({ entity: 'signing_key', entityId: kid, accountId: null, op: 'create' });
      w.audit({
        requestId: `signing-key-${kid}`,
        initiatorIamId: 'system',
        initiatorAccountId: null,
        accountId: null,
        action: 'iam-identity.signing-key.create',
        targetType: 'signing_key',
        targetId: kid,
        detail: { reason: onlyIfDue ? 'scheduled' : 'command', superseded: newest?.kid ?? null },
      });
    });
    await reload();
  }

  const rotateIfDue = (): Promise<void> => (rotating ??= create(true).finally(() => (rotating = null)));
  const signingKey = () => keys[0];
  const isDue = () => {
    const key = signingKey();
    return !key || key.retiresAt <= clock.now().getTime();
  };

  async function maintain(): Promise<void> {
    await reload();
    if (isDue()) await rotateIfDue();
  }

  function verificationKey(kid: string): CryptoKey | undefined {
    const key = byKid.get(kid);
    return key && key.expiresAt > clock.now().getTime() ? key.publicKey : undefined;
  }

  return {
    async start() {
      await load();
      await sealUnderCurrentKey();
      await maintain();
      if (timer) return;
      // A failed round (database briefly unavailable) is retried on the next one.
      timer = setInterval(() => void maintain().catch(() => undefined), periodMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    async rotate() {
      await create(false);
    },
    current() {
      const key = signingKey();
      if (!key) throw new Error('signing keys are not loaded: call start() first');
      // Past its signing period and the timer has not caught up: start the rotation now, keep
      // signing with this key meanwhile (its expires_at allows for one period of lag).
      if (key.retiresAt <= clock.now().getTime()) void rotateIfDue().catch(() => undefined);
      return { kid: key.kid, key: key.privateKey };
    },
    jwks() {
      const now = clock.now().getTime();
      return { keys: keys.filter((k) => k.expiresAt > now).map((k) => k.publicJwk) };
    },
    verificationKey,
    async resolve(kid) {
      if (!byKid.has(kid)) {
        if (reloading) await reloading;
        else if (performance.now() - lastReload >= UNKNOWN_KID_RELOAD_MS) await reload();
      }
      return verificationKey(kid);
    },
  };
}
