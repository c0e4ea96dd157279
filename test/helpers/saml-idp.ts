import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
// @peculiar/x509 (with reflect-metadata, which it needs) comes with @simplewebauthn/server.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
// xml-crypto through node-saml's own helper, so that signing here and checking in the server share one library.
import { signXml } from '@node-saml/node-saml/lib/xml.js';

/**
 * A test SAML 2.0 identity provider: its own RSA key pair and self-signed certificate, metadata, and
 * signed responses built for whatever a test needs (including wrong ones). It also listens on
 * 127.0.0.1 (an ephemeral port): `GET /sso?SAMLRequest=…` answers with an auto-submitting HTML form
 * that POSTs a signed response for `person` to the ACS the request names, as a real IdP's login page
 * would after sign-in (for browser tests).
 */

export interface Person {
  nameId: string;
  attributes: Record<string, string | string[]>;
}

export interface ResponseOptions {
  /** The ID of the AuthnRequest answered (InResponseTo); omitted: IdP-initiated. */
  inResponseTo?: string;
  /** Our ACS URL: the response's Destination and the Recipient. */
  acs: string;
  /** Our SP entity id: the audience. */
  audience: string;
  person: Person;
  /** Overrides, to build refused answers. */
  recipient?: string;
  destination?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  assertionId?: string;
  /** false: the assertion is not signed. */
  sign?: boolean;
  /** Sign with another key (a wrong signature). */
  signingKey?: string;
  /** The AuthnContextClassRef (how the IdP authenticated the person). */
  authnContext?: string;
}

export interface AuthnRequest {
  id: string;
  acs: string;
  issuer: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A key pair and a self-signed certificate (base64 DER, and the private key as PKCS#8 PEM). */
export async function selfSignedCertificate(commonName: string): Promise<{ certificate: string; privateKey: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    certificate: Buffer.from(cert.rawData).toString('base64'),
    privateKey: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`,
  };
}

/** Another private key, for answers signed by someone else. */
export const strangerKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  certificate: string;
  privateKey: string;
  metadataXml: string;
  /** Who the login page signs in (browser tests). */
  person: Person;
  /** The AuthnRequest a redirect-binding URL (our login redirect's Location) carries. */
  requestOf(location: string): AuthnRequest;
  /** A base64 SAMLResponse (signed unless `sign: false`). */
  response(options: ResponseOptions): string;
  close(): Promise<void>;
}

export async function startTestSamlIdp(options: { person?: Person } = {}): Promise<TestSamlIdp> {
  const { certificate, privateKey } = await selfSignedCertificate('Portcullis test SAML IdP');
  let base = '';
  const idp: TestSamlIdp = {
    entityId: '',
    ssoUrl: '',
    certificate,
    privateKey,
    metadataXml: '',
    person: options.person ?? { nameId: 'someone@example.com', attributes: { email: 'someone@example.com' } },

    requestOf(location) {
      const encoded = new URL(location).searchParams.get('SAMLRequest');
      if (!encoded) throw new Error(`no SAMLRequest in ${location}`);
      const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
      const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
      return { id: attribute('ID'), acs: attribute('AssertionConsumerServiceURL'), issuer: /<saml:Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? '' };
    },

    response(o) {
      const now = new Date();
      const notBefore = (o.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
      const notOnOrAfter = (o.notOnOrAfter ?? new Date(now.getTime() + 300_000)).toISOString();
      const issuer = esc(o.issuer ?? idp.entityId);
      const inResponseTo = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
      const assertionId = o.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
      const attributes = Object.entries(o.person.attributes)
        .map(
          ([name, value]) =>
            `<saml:Attribute Name="${esc(name)}">${(Array.isArray(value) ? value : [value])
              .map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`)
              .join('')}</saml:Attribute>`,
        )
        .join('');
      let assertion =
        `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${assertionId}" Version="2.0" IssueInstant="${now.toISOString()}">` +
        `<saml:Issuer>${issuer}</saml:Issuer>` +
        `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(o.person.nameId)}</saml:NameID>` +
        `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.recipient ?? o.acs)}"/></saml:SubjectConfirmation></saml:Subject>` +
        `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
        `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>${esc(o.authnContext ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
        `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
        `</saml:Assertion>`;
      if (o.sign !== false) {
        assertion = signXml(
          assertion,
          "//*[local-name(.)='Assertion']",
          { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
          { privateKey: o.signingKey ?? privateKey, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256' },
        );
      }
      const response =
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(o.destination ?? o.acs)}"${inResponseTo}>` +
        `<saml:Issuer>${issuer}</saml:Issuer>` +
        `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
        assertion.replace(/^<\?xml[^>]*>/, '') +
        `</samlp:Response>`;
      return Buffer.from(response, 'utf8').toString('base64');
    },

    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/sso') {
      try {
        const request = idp.requestOf(url.toString());
        const saml = idp.response({ inResponseTo: request.id, acs: request.acs, audience: request.issuer, person: idp.person });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(request.acs)}">` +
            `<input type="hidden" name="SAMLResponse" value="${esc(saml)}"/><noscript><button>Continue</button></noscript></form></body></html>`,
        );
      } catch {
        res.writeHead(400).end('bad SAMLRequest');
      }
      return;
    }
    if (req.method === 'GET' && url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.metadataXml);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.entityId = `${base}/metadata`;
  idp.ssoUrl = `${base}/sso`;
  idp.metadataXml =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(idp.entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(idp.ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`;
  return idp;
}
