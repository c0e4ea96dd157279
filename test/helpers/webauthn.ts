import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests: an ES256 (P-256) key per credential, attestation
 * `none`, and assertions signed with node:crypto, encoded by hand (a minimal CBOR encoder below) the
 * way a browser hands them to a page (base64url fields of PublicKeyCredential JSON). Tests steer
 * the signature counter, the origin and the relying party to build bad answers on purpose.
 */

// ── A minimal CBOR encoder (RFC 8949): unsigned/negative integers, byte and text strings, arrays, maps ──

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

// ── The authenticator ──

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** Flags of authenticator data: user present, user verified, attested credential data included. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The signature counter the next assertion carries (after increment); 0 keeps it at 0, as synced passkeys do. */
  counter: number;
}

/** The COSE_Key (RFC 9053) of a P-256 public key: kty EC2, alg ES256, crv P-256, x, y. */
function coseKeyOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(
    new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

function counterBytes(counter: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(counter);
  return b;
}

export interface Ceremony {
  /** The page's origin (default: the server's). */
  origin?: string;
  /** The relying party id the authenticator hashes (default: the options' rp id). */
  rpId?: string;
  /** Override the challenge answered (default: the options' challenge). */
  challenge?: string;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly defaultOrigin: string) {}

  /** Answers `navigator.credentials.create()` options: a new credential with attestation "none". */
  register(options: { challenge: string; rp: { id?: string } }, ceremony: Ceremony = {}, counter = 0) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: SoftCredential = { id: randomBytes(32), privateKey, publicKey, counter };
    this.credentials.push(credential);
    const rpId = ceremony.rpId ?? options.rp.id!;
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: ceremony.challenge ?? options.challenge, origin: ceremony.origin ?? this.defaultOrigin, crossOrigin: false }),
    );
    const credentialData = Buffer.concat([Buffer.alloc(16), Buffer.from([0, credential.id.length]), credential.id, coseKeyOf(publicKey)]);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([UP | UV | AT]), counterBytes(counter), credentialData]);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      credential,
      response: {
        id: b64u(credential.id),
        rawId: b64u(credential.id),
        type: 'public-key' as const,
        response: { clientDataJSON: b64u(clientData), attestationObject: b64u(attestationObject), transports: ['internal'] },
        clientExtensionResults: {},
      },
    };
  }

  /**
   * Answers `navigator.credentials.get()` options with `credential` (default: the first one the
   * options allow that this authenticator holds): authenticator data with the counter moved on,
   * signed with the credential's key over authData ‖ SHA-256(clientDataJSON).
   */
  assert(options: { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }, ceremony: Ceremony = {}, credential?: SoftCredential) {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const used = credential ?? this.credentials.find((c) => allowed.has(b64u(c.id)));
    if (!used) throw new Error('the authenticator holds no credential the options allow');
    if (used.counter > 0) used.counter += 1;
    const rpId = ceremony.rpId ?? options.rpId!;
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: ceremony.challenge ?? options.challenge, origin: ceremony.origin ?? this.defaultOrigin, crossOrigin: false }),
    );
    const authData = Buffer.concat([sha256(rpId), Buffer.from([UP | UV]), counterBytes(used.counter)]);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), used.privateKey);
    return {
      id: b64u(used.id),
      rawId: b64u(used.id),
      type: 'public-key' as const,
      response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature) },
      clientExtensionResults: {},
    };
  }
}
