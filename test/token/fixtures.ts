import { createAccessGroupsStore } from '../../src/access-groups/store.js';
import { createIdentityDirectory } from '../../src/identity/directory.js';
import { createProfileStore } from '../../src/identity/profiles/store.js';
import { createIdentityStore } from '../../src/identity/store.js';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createAccountsStore } from '../../src/accounts/store.js';
import type { Clock } from '../../src/kernel/clock.js';
import { iamIdOfServiceId, ids } from '../../src/kernel/ids.js';
import { hashSecret } from '../../src/kernel/secrets.js';
import { migrateToLatest, openDatabase, type Database, type Db } from '../../src/store/db.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { createAuthenticator } from '../../src/token/authenticate.js';
import { createTokenService } from '../../src/token/service.js';
import { createGrantSubjects } from '../../src/token/subjects.js';
import { createSigningKeys } from '../../src/token/signing-keys.js';
import { createTestDatabase, TEST_KEY_ENCRYPTION_KEY, type TestDatabase } from '../helpers/database.js';
import { keyEncryption, parseKeyEncryptionKey } from '../../src/token/key-encryption.js';

/** What every signing-key module of these tests seals with (nodes of one database share a KEK). */
export const testKeyEncryption = keyEncryption(parseKeyEncryptionKey(TEST_KEY_ENCRYPTION_KEY, 'test key'));

/**
 * Test data for the token domain, written straight into the tables (the identity API is another
 * domain; these tests only need rows that look like its rows).
 */

export interface TokenDb {
  database: Database;
  db: Db;
  close(): Promise<void>;
}

/** A fresh, migrated database of the suite's dialect (SQLite, or PostgreSQL when configured). */
export async function openTokenDb(): Promise<TokenDb> {
  const test: TestDatabase = await createTestDatabase();
  const database = openDatabase({ databaseUrl: test.databaseUrl, dataDir: test.dataDir });
  await migrateToLatest(database);
  return {
    database,
    db: database.db,
    async close() {
      await database.close();
      await test.drop();
    },
  };
}

/** The token domain's own objects over a database, as the registry wires them. */
export async function tokenStack(db: Db, clock: Clock, options: { rotationSeconds?: number; issuer?: string } = {}) {
  const writer = createWriter(db, () => clock.now());
  const accounts = createAccountsStore(db);
  const issuer = () => options.issuer ?? 'http://portcullis.test/identity';
  const signingKeys = createSigningKeys({
    db,
    writer,
    clock,
    rotationSeconds: options.rotationSeconds ?? 30 * 24 * 3600,
    keyEncryption: testKeyEncryption,
  });
  await signingKeys.start();
  const serviceIds = createIdentityStore(db);
  const token = createTokenService({ db, clock, signingKeys, issuer, subjects: createGrantSubjects(serviceIds, accounts), keyActivity: serviceIds });
  const groups = createAccessGroupsStore(db);
  const directory = createIdentityDirectory({
    membershipState: (accountId, iamId, trx) => accounts.membershipState(accountId, iamId, trx),
    serviceIdByIamId: (iamId, trx) => serviceIds.getServiceIdByIamId(iamId, trx),
    profileByIamId: (iamId, trx) => createProfileStore(db).getProfileByIamId(iamId, trx),
    isAccessGroupOf: async (accountId, groupId, trx) => (await groups.getGroup(groupId, trx))?.accountId === accountId,
  });
  const authenticator = createAuthenticator({ db, clock, signingKeys, issuer, accounts, directory });
  return {
    signingKeys,
    token,
    authenticator,
    async close() {
      signingKeys.stop();
      await token.close();
    },
  };
}

const iso = (clock?: Clock) => (clock ? clock.now() : new Date()).toISOString();

/** An account with an ACTIVE owner user. */
export async function seedAccount(db: Db, options: { login?: string; clock?: Clock } = {}) {
  const at = iso(options.clock);
  const accountId = ids.account();
  const iamId = ids.userIamId();
  const login = options.login ?? `user-${randomBytes(4).toString('hex')}@example.com`;
  await db
    .insertInto('users')
    .values({ iam_id: iamId, user_id: login, email: login, first_name: 'Jane', last_name: 'Doe', realm: 'IBMid', created_at: at })
    .execute();
  await db.insertInto('accounts').values({ id: accountId, name: 'Test', owner_iam_id: iamId, state: 'ACTIVE', created_at: at, updated_at: at }).execute();
  await db.insertInto('account_users').values({ account_id: accountId, iam_id: iamId, state: 'ACTIVE', added_on: at }).execute();
  return { accountId, iamId, login };
}

/** Another user, member of the account. */
export async function seedUser(db: Db, accountId: string) {
  const at = iso();
  const iamId = ids.userIamId();
  const login = `member-${randomBytes(4).toString('hex')}@example.com`;
  await db
    .insertInto('users')
    .values({ iam_id: iamId, user_id: login, email: login, first_name: 'Max', last_name: 'Member', realm: 'IBMid', created_at: at })
    .execute();
  await db.insertInto('account_users').values({ account_id: accountId, iam_id: iamId, state: 'ACTIVE', added_on: at }).execute();
  return { iamId, login };
}

export async function seedServiceId(db: Db, accountId: string, name = 'ci-bot') {
  const at = iso();
  const id = ids.serviceId();
  const iamId = iamIdOfServiceId(id);
  await db
    .insertInto('service_ids')
    .values({
      id,
      iam_id: iamId,
      account_id: accountId,
      name,
      description: null,
      group_id: null,
      unique_instance_crns: '[]',
      locked: 0,
      created_by: 'test',
      created_at: at,
      modified_at: at,
      entity_tag: '1-0',
    })
    .execute();
  return { id, iamId, name };
}

export interface KeyOptions {
  disabled?: boolean;
  locked?: boolean;
  expiresAt?: string;
}

/** An API key of a user or service ID; returns its id and its value. */
export async function seedApiKey(db: Db, owner: { iamId: string; accountId: string; ownerType: 'user' | 'serviceid' }, options: KeyOptions = {}) {
  const at = iso();
  const id = ids.apiKey();
  const value = ids.apiKeyValue();
  await db
    .insertInto('api_keys')
    .values({
      id,
      iam_id: owner.iamId,
      account_id: owner.accountId,
      name: 'test key',
      description: null,
      key_hash: hashSecret(value),
      owner_type: owner.ownerType,
      locked: options.locked ? 1 : 0,
      disabled: options.disabled ? 1 : 0,
      support_sessions: 0,
      action_when_leaked: null,
      expires_at: options.expiresAt ?? null,
      created_by: owner.iamId,
      created_at: at,
      modified_at: at,
      entity_tag: '1-0',
      last_authn: null,
      authn_count: 0,
    })
    .execute();
  return { id, value };
}

/** Stores (replacing) the account's identity settings JSON. */
export async function setSettings(db: Db, accountId: string, settings: Record<string, string>) {
  await db.deleteFrom('account_settings').where('account_id', '=', accountId).execute();
  await db
    .insertInto('account_settings')
    .values({ account_id: accountId, settings: JSON.stringify(settings), entity_tag: '1-0', modified_at: iso() })
    .execute();
}

export const apikeyForm = (apikey: string, extra: Record<string, string> = {}) => ({
  grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
  apikey,
  response_type: 'cloud_iam',
  ...extra,
});

/** POSTs a form to the token endpoint. */
export async function postToken(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** A token signed by an RSA key this server never made, with the given kid and claims. */
export async function foreignToken(kid: string, claims: JWTPayload) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwt = await new SignJWT(claims).setProtectedHeader({ kid, alg: 'RS256' }).sign(privateKey);
  return { jwt, publicJwk: await exportJWK(publicKey) };
}

/** Re-encodes a JWT with another header and/or payload, keeping (or replacing) the signature. */
export function reencode(jwt: string, change: { header?: Record<string, unknown>; payload?: Record<string, unknown>; signature?: string }) {
  const [h, p, s] = jwt.split('.');
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    change.header ? enc(change.header) : h,
    change.payload ? enc(change.payload) : p,
    change.signature ?? s,
  ].join('.');
}
