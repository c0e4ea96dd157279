import { X509Certificate } from 'node:crypto';
import { parseDomFromString, xpath } from '@node-saml/node-saml/lib/xml.js';
import { federationErrors as errors } from './errors.js';

/** What an IdP's SAML metadata (an EntityDescriptor) says that we use. */
export interface IdpMetadata {
  entityId: string;
  /** The SingleSignOnService location of the HTTP-Redirect binding. */
  ssoUrl: string | undefined;
  /** Signing certificates (KeyDescriptor use="signing" or without `use`), base64 DER. */
  certificates: string[];
  nameIdFormat: string | undefined;
}

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const local = (name: string) => `*[local-name()='${name}']`;

/** Reads an IdP's metadata XML; 400 when it is not an EntityDescriptor with an IDPSSODescriptor. */
export async function parseIdpMetadata(xml: string): Promise<IdpMetadata> {
  let doc: Awaited<ReturnType<typeof parseDomFromString>>;
  try {
    doc = await parseDomFromString(xml);
  } catch {
    throw errors.invalid('metadata_xml is not well-formed XML.');
  }
  const root = doc.documentElement;
  if (!root || root.localName !== 'EntityDescriptor') throw errors.invalid('metadata_xml must be a SAML EntityDescriptor.');
  const entityId = root.getAttribute('entityID');
  if (!entityId) throw errors.invalid('metadata_xml: the EntityDescriptor has no entityID.');
  const idp = `/${local('EntityDescriptor')}/${local('IDPSSODescriptor')}`;
  if (xpath.selectElements(doc, idp).length === 0) throw errors.invalid('metadata_xml describes no identity provider (IDPSSODescriptor).');
  const sso = xpath
    .selectElements(doc, `${idp}/${local('SingleSignOnService')}`)
    .find((e) => e.getAttribute('Binding') === REDIRECT_BINDING)
    ?.getAttribute('Location');
  const certificates = xpath
    .selectElements(doc, `${idp}/${local('KeyDescriptor')}`)
    .filter((k) => !k.getAttribute('use') || k.getAttribute('use') === 'signing')
    .flatMap((k) => xpath.selectElements(k, `.//${local('X509Certificate')}`))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((c) => c !== '');
  const nameIdFormat = xpath.selectElements(doc, `${idp}/${local('NameIDFormat')}`)[0]?.textContent?.trim() || undefined;
  return { entityId, ssoUrl: sso ?? undefined, certificates, nameIdFormat };
}

/** A certificate as base64 DER, from PEM or base64; 400 when it is not an X.509 certificate. */
export function certificateOf(text: string, where: string): string {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  try {
    if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error('not base64');
    new X509Certificate(Buffer.from(body, 'base64'));
  } catch {
    throw errors.invalid(`${where} is not an X.509 certificate (PEM or base64 DER).`);
  }
  return body;
}

/** A base64 DER certificate in PEM armour (what node-saml takes). */
export const pemOf = (der: string) => `-----BEGIN CERTIFICATE-----\n${der.replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----\n`;
