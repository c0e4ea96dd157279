import { parse as parseYaml } from 'yaml';
import { DomainError } from '../kernel/errors.js';
import { actionDisplayName } from './seed/seed-format.js';
import { systemRoles } from './system.js';
import type { CatalogService, OwnRole } from './types.js';

/**
 * The file in which a deployment describes its own services (YAML, or JSON since YAML is a
 * superset):
 *
 * ```yaml
 * services:
 *   - name: books
 *     displayName: Books
 *     type: service                  # or platform_service; default service
 *     groupId: LIBRARY               # optional service_group_id
 *     ownRoles:                      # optional roles specific to this service
 *       - { name: Librarian, displayName: Librarian, description: Manages loans }
 *     roles: [Administrator, Viewer, Reader, Writer, Librarian]
 *     actions:
 *       - { id: books.book.read, displayName: Read books, roles: [Reader, Writer, Librarian] }
 * ```
 *
 * A role is named by a CRN, by the name of one of the service's `ownRoles`, or by the last CRN
 * segment of a generic system role (`Administrator`, `Reader`, `ConfigReader`, …).
 * `parseCatalogFile` checks the shape only; `Catalog.registerAll` checks the meaning.
 */
export function parseCatalogFile(text: string): CatalogService[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw fileError('', `not YAML or JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(document) ? document : isRecord(document) ? document.services : undefined;
  if (!Array.isArray(list)) throw fileError('', 'expected a list of services or an object with "services"');
  return list.map((entry, i) => parseService(entry, `services[${i}]`));
}

const genericRoleByName = new Map(systemRoles.filter((r) => r.serviceName === undefined).map((r) => [r.name, r.crn]));

/** One service entry of a catalog file (the catalog API takes the same shape). */
export function parseCatalogService(entry: unknown): CatalogService {
  return parseService(entry, 'service');
}

function parseService(entry: unknown, at: string): CatalogService {
  if (!isRecord(entry)) throw fileError(at, 'must be an object');
  const name = requireString(entry, 'name', at);
  const displayName = optionalString(entry, 'displayName', at) ?? optionalString(entry, 'display_name', at) ?? name;
  const type = optionalString(entry, 'type', at) ?? 'service';
  if (type !== 'service' && type !== 'platform_service') throw fileError(`${at}.type`, 'must be "service" or "platform_service"');
  const groupId = optionalString(entry, 'groupId', at) ?? optionalString(entry, 'service_group_id', at);

  const ownRoles: OwnRole[] = [];
  const ownByName = new Map<string, string>();
  for (const [i, raw] of listOf(entry, 'ownRoles', at).entries()) {
    const where = `${at}.ownRoles[${i}]`;
    if (!isRecord(raw)) throw fileError(where, 'must be an object');
    const roleName = requireString(raw, 'name', where);
    const crn = `crn:v1:bluemix:public:${name}::::serviceRole:${roleName}`;
    ownByName.set(roleName, crn);
    ownRoles.push({
      crn,
      displayName: optionalString(raw, 'displayName', where) ?? roleName,
      description: optionalString(raw, 'description', where) ?? '',
    });
  }
  const roleCrn = (value: unknown, where: string): string => {
    if (typeof value !== 'string' || value === '') throw fileError(where, 'must be a role name or CRN');
    if (value.startsWith('crn:')) return value;
    const crn = ownByName.get(value) ?? genericRoleByName.get(value);
    if (crn === undefined) throw fileError(where, `unknown role "${value}"`);
    return crn;
  };

  const roles = listOf(entry, 'roles', at).map((r, i) => roleCrn(r, `${at}.roles[${i}]`));
  const actions = listOf(entry, 'actions', at).map((raw, i) => {
    const where = `${at}.actions[${i}]`;
    if (!isRecord(raw)) throw fileError(where, 'must be an object');
    const id = requireString(raw, 'id', where);
    const description = optionalString(raw, 'description', where);
    return {
      id,
      displayName: optionalString(raw, 'displayName', where) ?? actionDisplayName(id),
      ...(description !== undefined ? { description } : {}),
      roles: listOf(raw, 'roles', where).map((r, j) => roleCrn(r, `${where}.roles[${j}]`)),
    };
  });
  return {
    name,
    displayName,
    type,
    ...(groupId !== undefined ? { groupId } : {}),
    roles,
    actions,
    ...(ownRoles.length > 0 ? { ownRoles } : {}),
  };
}

const fileError = (at: string, message: string) =>
  new DomainError('invalid', 'invalid_catalog_file', `Catalog file${at ? ` at ${at}` : ''}: ${message}.`);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function requireString(obj: Record<string, unknown>, key: string, at: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') throw fileError(`${at}.${key}`, 'must be a non-empty string');
  return value;
}

function optionalString(obj: Record<string, unknown>, key: string, at: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw fileError(`${at}.${key}`, 'must be a string');
  return value;
}

function listOf(obj: Record<string, unknown>, key: string, at: string): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fileError(`${at}.${key}`, 'must be a list');
  return value;
}
