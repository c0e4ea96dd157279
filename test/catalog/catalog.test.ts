import { describe, expect, it } from 'vitest';
import { Catalog, customRoleCrn } from '../../src/catalog/catalog.js';
import { parseCatalogFile } from '../../src/catalog/catalog-file.js';
import { platformRoles, serviceRoles, specificRoles } from '../../src/catalog/system.js';
import type { CatalogService, CustomRole } from '../../src/catalog/types.js';
import { DomainError } from '../../src/kernel/errors.js';

const books = (over: Partial<CatalogService> = {}): CatalogService => ({
  name: 'books',
  displayName: 'Books',
  type: 'service',
  roles: [platformRoles.viewer.crn, serviceRoles.reader.crn, serviceRoles.writer.crn],
  actions: [
    { id: 'books.book.read', displayName: 'Read', roles: [serviceRoles.reader.crn, serviceRoles.writer.crn] },
    { id: 'books.book.write', displayName: 'Write', roles: [serviceRoles.writer.crn] },
  ],
  ...over,
});

const customRole = (over: Partial<CustomRole> = {}): CustomRole => ({
  crn: customRoleCrn('acct-a', 'Librarian'),
  name: 'Librarian',
  displayName: 'Librarian',
  description: '',
  kind: 'custom',
  accountId: 'acct-a',
  serviceName: 'books',
  actions: ['books.book.write'],
  ...over,
});

function rejects(fn: () => void, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('invalid');
    expect((error as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected DomainError ${code}`);
}

describe('seed catalog', () => {
  const catalog = Catalog.withSeed();

  it('holds the account-management services of authz.md §7 and the IAM-enabled samples', () => {
    for (const name of ['iam-identity', 'iam-groups', 'iam-access-management', 'iam-access-management.customRole', 'user-management',
      'context-based-restrictions', 'context-based-restrictions.zone', 'billing', 'enterprise', 'globalcatalog',
      'globalcatalog-collection', 'support', 'entitlement', 'cloudshell', 'project']) {
      expect(catalog.service(name)?.type, name).toBe('platform_service');
    }
    for (const name of ['cloud-object-storage', 'kms', 'containers-kubernetes', 'is']) expect(catalog.service(name)?.type).toBe('service');
    expect([...catalog.allServices()].filter((s) => s.groupId === 'IAM').map((s) => s.name).sort()).toEqual([
      'iam-access-management', 'iam-access-management.customRole', 'iam-groups', 'iam-identity', 'user-management',
    ]);
  });

  it('maps actions to roles as IBM\'s tables do', () => {
    expect([...catalog.rolesGranting('iam-identity.apikey.review', 'iam-identity')].sort()).toEqual(
      [platformRoles.administrator.crn, platformRoles.editor.crn, platformRoles.operator.crn, serviceRoles.configReader.crn, specificRoles.apiKeyReviewer.crn].sort(),
    );
    expect([...catalog.rolesGranting('iam-identity.serviceid.create', 'iam-identity')]).toEqual([specificRoles.serviceIdCreator.crn]);
    expect(catalog.actionsOf(platformRoles.viewer.crn, 'iam-groups').has('iam-groups.groups.create')).toBe(false);
  });

  it('gives every service\'s platform roles the generic platform actions', () => {
    expect(catalog.actionsOf(platformRoles.administrator.crn, 'kms').has('iam.policy.create')).toBe(true);
    expect(catalog.actionsOf(platformRoles.editor.crn, 'kms').has('iam.policy.create')).toBe(false);
    expect(catalog.actionsOf(platformRoles.viewer.crn, 'support').has('iam.policy.read')).toBe(true);
    expect(catalog.actionsOf(serviceRoles.manager.crn, 'kms').has('iam.policy.read')).toBe(false);
    expect(catalog.isGenericAction('iam.policy.create')).toBe(true);
    expect(catalog.serviceOfAction('iam.policy.create')).toBeUndefined();
    expect(catalog.serviceOfAction('kms.secrets.list')).toBe('kms');
  });

  it('offers the Decision Querier role on every service', () => {
    for (const service of catalog.allServices()) expect(service.roles).toContain(serviceRoles.decisionQuerier.crn);
    expect([...catalog.actionsOf(serviceRoles.decisionQuerier.crn, 'kms')]).toEqual(['iam.authz.query']);
  });
});

describe('registering services', () => {
  it('adds a valid service and its role → action sets', () => {
    const catalog = Catalog.withSeed();
    catalog.register(books());
    expect([...catalog.actionsOf(serviceRoles.writer.crn, 'books')].sort()).toEqual(['books.book.read', 'books.book.write']);
    expect(catalog.knowsAction('books.book.write')).toBe(true);
    expect(catalog.actionsOf(platformRoles.viewer.crn, 'books').has('resource-controller.instance.retrieve')).toBe(true);
  });

  it('replaces a service registered again, forgetting its old actions', () => {
    const catalog = Catalog.withSeed();
    catalog.register(books());
    catalog.register(books({ actions: [{ id: 'books.shelf.read', displayName: 'Read shelf', roles: [serviceRoles.reader.crn] }] }));
    expect(catalog.knowsAction('books.book.read')).toBe(false);
    expect(catalog.knowsAction('books.shelf.read')).toBe(true);
  });

  it('rejects a malformed name', () => {
    const catalog = new Catalog();
    rejects(() => catalog.register(books({ name: 'Books!' })), 'invalid_service_name');
    rejects(() => catalog.register(books({ name: '' })), 'invalid_service_name');
  });

  it('rejects unknown role CRNs', () => {
    const catalog = new Catalog();
    rejects(() => catalog.register(books({ roles: ['crn:v1:bluemix:public:iam::::role:Emperor'] })), 'unknown_role');
  });

  it('rejects another service\'s specific role', () => {
    const catalog = new Catalog();
    rejects(() => catalog.register(books({ roles: [specificRoles.serviceIdCreator.crn] })), 'unknown_role');
  });

  it('rejects an action naming a role the service does not offer', () => {
    const catalog = new Catalog();
    rejects(
      () => catalog.register(books({ actions: [{ id: 'books.book.burn', displayName: 'Burn', roles: [serviceRoles.manager.crn] }] })),
      'unknown_role',
    );
  });

  it('rejects duplicate action ids, within a service and across services', () => {
    const catalog = Catalog.withSeed();
    const read = { id: 'books.book.read', displayName: 'Read', roles: [serviceRoles.reader.crn] };
    rejects(() => catalog.register(books({ actions: [read, read] })), 'duplicate_action');
    catalog.register(books({ actions: [{ ...read, id: 'books.shelf.read' }] }));
    rejects(() => catalog.register(books({ name: 'books.shelf', actions: [{ ...read, id: 'books.shelf.read' }] })), 'duplicate_action');
  });

  it('rejects actions outside the service\'s namespace', () => {
    const catalog = Catalog.withSeed();
    rejects(() => catalog.register(books({ actions: [{ id: 'kms.secrets.list', displayName: 'x', roles: [] }] })), 'invalid_action');
  });

  it('registers nothing when one service of a batch is invalid', () => {
    const catalog = Catalog.withSeed();
    rejects(() => catalog.registerAll([books(), books({ name: 'films', roles: ['crn:nope'] })]), 'unknown_role');
    expect(catalog.service('books')).toBeUndefined();
    rejects(() => catalog.registerAll([books(), books()]), 'duplicate_service');
  });
});

describe('custom roles', () => {
  const withBooks = () => {
    const catalog = Catalog.withSeed();
    catalog.register(books());
    return catalog;
  };

  it('grant their own actions on their own service only', () => {
    const catalog = withBooks();
    catalog.upsertCustomRole(customRole());
    const crn = customRoleCrn('acct-a', 'Librarian');
    expect([...catalog.actionsOf(crn, 'books')]).toEqual(['books.book.write']);
    expect(catalog.actionsOf(crn, 'kms').size).toBe(0);
    expect(catalog.rolesGranting('books.book.write', 'books').has(crn)).toBe(true);
    expect(catalog.role(crn)?.kind).toBe('custom');
    expect(catalog.customRolesOf('acct-a').map((r) => r.name)).toEqual(['Librarian']);
    expect(catalog.customRolesOf('acct-b')).toEqual([]);
  });

  it('are updated and removed in place', () => {
    const catalog = withBooks();
    catalog.upsertCustomRole(customRole());
    catalog.upsertCustomRole(customRole({ actions: ['books.book.read', 'books.book.write'] }));
    const crn = customRoleCrn('acct-a', 'Librarian');
    expect(catalog.actionsOf(crn, 'books').size).toBe(2);
    catalog.removeCustomRole(crn);
    expect(catalog.actionsOf(crn, 'books').size).toBe(0);
    expect(catalog.role(crn)).toBeUndefined();
  });

  it('reject actions of another service, an unknown service, no actions, and a mismatched CRN', () => {
    const catalog = withBooks();
    rejects(() => catalog.upsertCustomRole(customRole({ actions: ['kms.secrets.list'] })), 'invalid_custom_role');
    rejects(() => catalog.upsertCustomRole(customRole({ actions: [] })), 'invalid_custom_role');
    rejects(() => catalog.upsertCustomRole(customRole({ serviceName: 'films' })), 'unknown_service');
    rejects(() => catalog.upsertCustomRole(customRole({ accountId: 'acct-b' })), 'invalid_custom_role');
    rejects(() => catalog.upsertCustomRole(customRole({ name: 'librarian', crn: customRoleCrn('acct-a', 'librarian') })), 'invalid_custom_role');
  });
});

describe('catalog files', () => {
  const yaml = `
services:
  - name: books
    displayName: Books
    ownRoles:
      - { name: Librarian, displayName: Librarian, description: Manages loans }
    roles: [Administrator, Viewer, Reader, Writer, Librarian]
    actions:
      - { id: books.book.read, roles: [Reader, Writer, Librarian] }
      - { id: books.loan.create, displayName: Lend a book, roles: [Librarian] }
`;

  it('parse YAML into services that register', () => {
    const services = parseCatalogFile(yaml);
    expect(services).toHaveLength(1);
    expect(services[0]!.type).toBe('service');
    expect(services[0]!.actions[0]!.displayName).toBe('Read book');
    const catalog = Catalog.withSeed();
    catalog.registerAll(services);
    const librarian = 'crn:v1:bluemix:public:books::::serviceRole:Librarian';
    expect([...catalog.actionsOf(librarian, 'books')].sort()).toEqual(['books.book.read', 'books.loan.create']);
    expect(catalog.role(librarian)?.serviceName).toBe('books');
  });

  it('parse JSON too', () => {
    const services = parseCatalogFile(JSON.stringify([{ name: 'films', roles: ['Reader'], actions: [{ id: 'films.film.watch', roles: ['Reader'] }] }]));
    expect(services[0]!.name).toBe('films');
  });

  it('point at the problem', () => {
    expect(() => parseCatalogFile('services: 3')).toThrow(/expected a list/);
    expect(() => parseCatalogFile('- { name: films, roles: [Emperor] }')).toThrow(/services\[0\]\.roles\[0\]: unknown role "Emperor"/);
    expect(() => parseCatalogFile('- { name: films, actions: [{ roles: [] }] }')).toThrow(/services\[0\]\.actions\[0\]\.id/);
    expect(() => parseCatalogFile('- { name: films, type: magic }')).toThrow(/type/);
    expect(() => parseCatalogFile('{ unclosed')).toThrow(DomainError);
  });
});
