import type { Migration } from './types.js';

/**
 * Signing private keys are stored sealed (AES-256-GCM under the key-encryption key, see
 * src/token/key-encryption.ts). The column that held the plain JWK is renamed `private_key`, and
 * `private_key_encryption` says what it holds: the rows already there are marked `none`.
 *
 * The sealing itself cannot happen here: migrations are plain SQL, run by `portcullis migrate`,
 * which has no business holding the key-encryption key. The signing-key module seals every row
 * marked `none` when a node starts (one conditional update per row, so concurrent nodes agree),
 * before it loads the keys. Renaming the column also keeps a node of an older version from reading
 * a sealed value as a JWK: it fails to load keys instead.
 */
export const sealedSigningKeys: Migration = {
  version: '009_sealed_signing_keys',
  statements: () => [
    `ALTER TABLE signing_keys RENAME COLUMN private_jwk TO private_key`,
    `ALTER TABLE signing_keys ADD COLUMN private_key_encryption TEXT NOT NULL DEFAULT 'none'`,
  ],
};
