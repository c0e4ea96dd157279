/**
 * The cr-token grant in the token benchmark: a compute resource's RS256 token from a trusted
 * issuer (uploaded JWKS, as an air-gapped cluster registers it) → a trusted profile's token,
 * through the registry's token service in process (signature, issuer, audience and expiry
 * verified, the profile's link matched, the profile token signed). Its ceiling, measured in the
 * same run, is raw jose work per grant: one RS256 verification and one RS256 signature.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/kernel/principal.js';
import { bootstrapIfEmpty } from '../../src/main.js';
import { createRegistry } from '../../src/registry.js';

const CR_TOKEN_GRANT = 'urn:ibm:params:oauth:grant-type:cr-token';
const ISS = 'https://kubernetes.bench.example.com';

/** run.ts's measure: `op` for `seconds` with `concurrency` in flight, a rate per wall and CPU second. */
type Measure<R> = (seconds: number, concurrency: number, op: () => Promise<unknown>) => Promise<R>;

async function serviceAccountToken(privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api', uid: randomUUID() } } })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer(ISS)
    .setSubject('system:serviceaccount:prod:api')
    .setAudience('portcullis')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

export async function crTokenBench<R>(measure: Measure<R>) {
  const cluster = await generateKeyPair('RS256', { modulusLength: 2048 });
  const signer = await generateKeyPair('RS256', { modulusLength: 2048 });
  const crToken = await serviceAccountToken(cluster.privateKey);

  // Ceiling: what a grant cannot avoid, one verification and one signature, back to back.
  const ceiling = await measure(4, 1, async () => {
    await jwtVerify(crToken, cluster.publicKey, { algorithms: ['RS256'], issuer: ISS, audience: 'portcullis' });
    await new SignJWT({ iam_id: 'iam-Profile-00000000-0000-4000-8000-000000000000', jti: randomUUID(), sub_type: 'Profile' })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
      .sign(signer.privateKey);
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-cr-'));
  const registry = await createRegistry(loadConfig({ dataDir, databaseUrl: '', logLevel: 'silent', publicUrl: 'http://127.0.0.1:8080' }, {}));
  try {
    await registry.signingKeys.start();
    const created = await bootstrapIfEmpty(registry, 'bench@example.com');
    if (!created) throw new Error('the benchmark database is not empty');
    const actor: Actor = { principal: { iamId: created.iam_id, kind: 'user', accountId: created.account_id, name: 'bench' }, requestId: 'bench' };
    const clusterCrn = `crn:v1:bluemix:public:containers-kubernetes:us-south:a/${created.account_id}::cluster:bench`;
    await registry.workload.issuers.create(actor, created.account_id, {
      name: 'bench cluster',
      type: 'kubernetes',
      issuer: ISS,
      audiences: ['portcullis'],
      jwks: { keys: [{ ...(await exportJWK(cluster.publicKey)), kid: 'bench' }] },
      resourceCrn: clusterCrn,
    });
    const profile = await registry.identity.profiles.create(actor, { accountId: created.account_id, name: 'bench-pods' });
    await registry.identity.profiles.links.create(actor, profile.id, { crType: 'IKS_SA', link: { crn: clusterCrn, namespace: 'prod', name: 'api' } });
    const form = { grant_type: CR_TOKEN_GRANT, cr_token: crToken, profile_id: profile.id };
    const sequential = await measure(4, 1, () => registry.token.grant(form));
    const concurrent = await measure(4, 16, () => registry.token.grant(form));
    return { ceiling, sequential, concurrent };
  } finally {
    await registry.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
