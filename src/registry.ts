import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import { accessGroupRoutes } from './access-groups/routes.js';
import { createAccessGroupsService } from './access-groups/service.js';
import { createAccessGroupsStore } from './access-groups/store.js';
import { PUBLIC_ACCESS_GROUP_ID } from './access-groups/types.js';
import { createAccountsService } from './accounts/service.js';
import { createAccountsStore } from './accounts/store.js';
import { createOwnerLookup } from './accounts/owners.js';
import { buildApp } from './app.js';
import { createPdpAuthorizer } from './authz/authorizer.js';
import { createDecisionPoint, type DecisionPoint } from './authz/decision-point.js';
import { createPermitLog } from './authz/permits.js';
import { authzRoutes } from './authz/routes.js';
import { createAuthzService } from './authz/service.js';
import { auditRoutes } from './audit/routes.js';
import { createAuditService } from './audit/service.js';
import { createAuditStore } from './audit/store.js';
import { createDecisionSource } from './authz/sources.js';
import { Catalog, parseCatalogFile } from './catalog/index.js';
import { catalogRoutes } from './catalog/routes.js';
import { createContextEnforcement, createReportLog, serviceOfRoute, withReportMetric } from './cbr/enforcement.js';
import { restrictionOf, restrictionZoneOf } from './cbr/restriction.js';
import { cbrRoutes } from './cbr/routes.js';
import { createCbrService } from './cbr/service.js';
import { createCbrStore } from './cbr/store.js';
import { createCatalogAdmin } from './catalog/service.js';
import { createCatalogStore } from './catalog/store.js';
import type { Config } from './config.js';
import { enterpriseRoutes } from './enterprise/routes.js';
import { createEnterpriseService } from './enterprise/service.js';
import { createEnterpriseStore } from './enterprise/store.js';
import { ownerSetup } from './enterprise/owner-setup.js';
import { createAllowedAddresses } from './http/allowed-ips.js';
import { builtConsoleDir } from './http/console.js';
import { createMetrics } from './http/observability.js';
import { createRevisionNotes } from './http/revision.js';
import { createIdentityDirectory } from './identity/directory.js';
import type { IdentityRemoval } from './identity/context.js';
import { identityRoutes } from './identity/routes.js';
import { createIdentityService } from './identity/service.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { createMailer } from './mail/mailer.js';
import { usersRoutes } from './users/routes.js';
import { createUsersService } from './users/service.js';
import { createUsersStore } from './users/store.js';
import { userLinks } from './users/links.js';
import { createIdentityStore } from './identity/store.js';
import { createProfileStore } from './identity/profiles/store.js';
import { resourceControllerRoutes, resourceManagerRoutes } from './resources/routes.js';
import { createResourcesService } from './resources/service.js';
import { createResourcesStore } from './resources/store.js';
import { catalogRoleOf, createGrantCheck, createPolicyDomain } from './policies/index.js';
import { createCustomRoleStore } from './policies/roles-store.js';
import { createPolicyStore } from './policies/store.js';
import { migrateToLatest, openDatabase, schemaReadiness } from './store/db.js';
import { createChangeFeed } from './store/changes.js';
import { createWriter } from './store/unit-of-work.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthenticator } from './token/authenticate.js';
import { tokenRoutes } from './token/routes.js';
import { createSigningKeys } from './token/signing-keys.js';
import { keyEncryption, keyEncryptionKeysOf } from './token/key-encryption.js';
import { loggerOptions } from './http/logging.js';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { createTokenService } from './token/service.js';
import { createGrantSubjects } from './token/subjects.js';
import { createProfileGrants } from './token/profile-grants.js';
import { workloadRoutes } from './workload/routes.js';
import { createWorkloadService } from './workload/service.js';
import { consoleSessionRoutes } from './signin/console-sessions.js';
import { consoleTokenRoutes } from './signin/console-token.js';
import { signInRoutes } from './signin/routes.js';
import { createSignInService } from './signin/service.js';
import { createSignInStore } from './signin/store.js';
import { federationRoutes } from './federation/routes.js';
import { createFederationService } from './federation/service.js';
import { createFederationStore } from './federation/store.js';
import { DEFAULT_PASSWORD_POLICY } from './signin/password-rules.js';
import { createSignInMetrics } from './signin/metrics.js';
import { relyingParty } from './signin/passkeys.js';
import { managedGroupAccessGuard, managedGroupGuard } from './templates/groups/guard.js';
import { createGroupKind } from './templates/groups/kind.js';
import { managedLookup } from './templates/groups/managed.js';
import { groupTemplateRoutes } from './templates/groups/routes.js';
import { createTemplatesCore } from './templates/core.js';
import { createActionControlStore, type ActionControlRecord } from './templates/kinds/action-controls-store.js';
import { policyReferenceApplier } from './templates/kinds/policy-references.js';
import { createPolicyTemplates } from './templates/service.js';
import { assignedSettingsLookup } from './templates/settings/assigned.js';
import { createAccountSettingsKind } from './templates/settings/kind.js';
import { managedPolicyRemovable, managedProfileAccessGuard, managedProfileGuard } from './templates/profiles/guard.js';
import { createProfileKind } from './templates/profiles/kind.js';
import { profileTemplateRoutes } from './templates/profiles/routes.js';
import { accountSettingsTemplateRoutes } from './templates/settings/routes.js';
import { createTemplateStore } from './templates/store.js';
import { enterpriseDirectory } from './templates/targets.js';

/** Where clients reach this server; known once it listens (tests listen on an ephemeral port). */
export interface Site {
  url: string;
}

export interface RegistryOptions {
  clock?: Clock;
  /** Use an in-memory SQLite database instead of the configured one (unit tests). */
  memory?: boolean;
  /** The process's log outside requests (tests capture it); by default pino at the configured level. */
  log?: Logger;
}

/** How often each node adds the permits its decision point granted to the policies' usage figures. */
const PERMIT_FLUSH_MS = 10_000;

/**
 * The explicit wiring of every dependency (no container): config → database → stores → services
 * → app. main.ts and the tests both build the server through this one function.
 */
export async function createRegistry(config: Config, options: RegistryOptions = {}) {
  const clock = options.clock ?? systemClock;
  const site: Site = { url: config.publicUrl };
  const log = options.log ?? pino(loggerOptions(config.logLevel) as LoggerOptions);
  // Before the database is opened: a node without a usable key-encryption key refuses to start.
  const keks = keyEncryptionKeysOf(config, options.memory);
  const kek = keyEncryption(keks.current, keks.previous);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, memory: options.memory, log });
  if (config.autoMigrate) await migrateToLatest(database);
  const { db } = database;
  // Every commit wakes this process's decision point and tags the response with its revision.
  let decisionPoint: DecisionPoint | undefined;
  const revisions = createRevisionNotes();
  const writer = createWriter(
    db,
    () => clock.now(),
    (revision, requestIds) => {
      revisions.committed(revision, requestIds);
      decisionPoint?.committed(revision);
    },
    database.dialect === 'postgres',
  );

  const catalog = Catalog.withSeed();
  if (config.catalogFile) catalog.registerAll(parseCatalogFile(await readFile(config.catalogFile, 'utf8')));

  const accountsStore = createAccountsStore(db);
  const catalogStore = createCatalogStore(db);
  const resourcesStore = createResourcesStore(db);
  const accessGroupsStore = createAccessGroupsStore(db);
  const policyStore = createPolicyStore(db);
  const cbrStore = createCbrStore(db);
  const actionControlStore = createActionControlStore(db);
  const actionControlOf = (r: ActionControlRecord) => ({ id: r.id, accountId: r.accountId, actions: r.actions });
  // Report-only context-based restrictions record what they would have refused (audit event and metric).
  const cbrReports = createReportLog({ writer, clock, log: (message, error) => log.warn({ err: error }, message) });
  const permits = createPermitLog({ save: (counts) => policyStore.recordPermits(counts), intervalMs: PERMIT_FLUSH_MS });
  const decisions = createDecisionPoint({
    catalog,
    clock,
    feed: createChangeFeed(db),
    onPermit: permits.record,
    onReport: (ruleId, request) =>
      cbrReports.record(ruleId, request.resource.accountId, request.subject.id, {
        action: request.action,
        serviceName: request.resource.serviceName,
        ipAddress: request.environment?.ip,
      }),
    source: createDecisionSource(
      {
        catalogServices: catalogStore,
        policies: policyStore,
        customRoles: createCustomRoleStore(db),
        catalogRoleOf,
        groups: accessGroupsStore,
        instances: resourcesStore,
        restrictions: {
          zones: async () => (await cbrStore.allZones()).map(restrictionZoneOf),
          rules: async () => (await cbrStore.allRules()).map(restrictionOf),
          zone: async (id) => {
            const zone = await cbrStore.getZone(id);
            return zone && restrictionZoneOf(zone);
          },
          rule: async (id) => {
            const rule = await cbrStore.getRule(id);
            return rule && restrictionOf(rule);
          },
        },
        actionControls: {
          all: async () => (await actionControlStore.all()).map(actionControlOf),
          get: async (id) => {
            const control = await actionControlStore.get(id);
            return control && actionControlOf(control);
          },
        },
      },
      clock,
    ),
  });
  await decisions.start();
  decisionPoint = decisions;
  permits.start();
  // Other nodes' writes wake this node's decision point at once (PostgreSQL); polling is the fallback.
  const stopListening = await database.onFeedCommit(() => decisions.poke());
  const ownerOf = createOwnerLookup(accountsStore, clock);
  const authorizer = createPdpAuthorizer({ decisionPoint: decisions, ownerOf });
  const catalogAdmin = createCatalogAdmin({
    catalog,
    store: catalogStore,
    writer,
    clock,
    authorizer,
    operatorAccountId: accountsStore.operatorAccountId,
    applied: (revision) => decisions.ensureRevision(revision),
  });
  // "Is this id an identity of that account, and of which kind?", answered from each kind's own store.
  const identityStore = createIdentityStore(db);
  const trustedProfileStore = createProfileStore(db);
  const directory = createIdentityDirectory({
    membershipState: (accountId, iamId, trx) => accountsStore.membershipState(accountId, iamId, trx),
    serviceIdByIamId: (iamId, trx) => identityStore.getServiceIdByIamId(iamId, trx),
    profileByIamId: (iamId, trx) => trustedProfileStore.getProfileByIamId(iamId, trx),
    isAccessGroupOf: async (accountId, groupId, trx) =>
      groupId === PUBLIC_ACCESS_GROUP_ID || (await accessGroupsStore.getGroup(groupId, trx))?.accountId === accountId,
  });
  // What leaves an account with an identity (a removed user, a deleted service ID), in the same
  // write: the domains that hold something for identities add themselves below, once they exist.
  const identityRemovals: IdentityRemoval[] = [];
  const grants = createGrantCheck({
    authorizer,
    catalog,
    policies: policyStore,
    groupsOf: (accountId, iamId) => accessGroupsStore.groupsOf(iamId, accountId, clock.now().toISOString()),
  });
  const signinStore = createSignInStore(db);
  const templateStore = createTemplateStore(db);
  const groupAccessGuard = managedGroupAccessGuard(managedLookup(db), templateStore);
  const profileAccessGuard = managedProfileAccessGuard(managedLookup(db), templateStore);
  const identity = createIdentityService({
    db,
    writer,
    clock,
    authorizer,
    accounts: accountsStore,
    onIdentityRemoved: identityRemovals,
    authorizeHandOver: grants.authorizeHandOver,
    mfaEnrolments: signinStore.enrolments,
    guardManagedProfile: managedProfileGuard(managedLookup(db), templateStore),
    assignedSettingsTemplates: assignedSettingsLookup(db),
  });
  const resources = createResourcesService({
    store: resourcesStore,
    writer,
    clock,
    authorizer,
    knowsService: (name) => catalog.service(name) !== undefined,
  });
  const accounts = createAccountsService({
    store: accountsStore,
    writer,
    clock,
    issueApiKey: identity.issueApiKeyIn,
    provisionAccount: resources.createDefaultGroupIn,
  });
  const accessGroups = createAccessGroupsService({
    store: accessGroupsStore,
    accounts: accountsStore,
    writer,
    clock,
    authorizer,
    directory,
    authorizeJoin: grants.authorizeJoin,
    guardManaged: managedGroupGuard(managedLookup(db), templateStore),
  });
  const policyManagement = createPolicyDomain({
    db, writer, clock, catalog, authorizer, site, directory, savePermits: permits.flush,
    instanceOf: async (id) => {
      const instance = await resourcesStore.getInstance(id);
      return instance?.state === 'active' ? { accountId: instance.accountId, resourceGroupId: instance.resourceGroupId } : undefined;
    },
    guardSubject: async (subject) => {
      await groupAccessGuard(subject);
      await profileAccessGuard(subject);
    },
    removableManaged: managedPolicyRemovable(managedLookup(db), templateStore),
  });

  identityRemovals.push(accessGroups.removeIdentityEverywhere, policyManagement.retireSubjectIn);

  const signinMetrics = createSignInMetrics();
  const mailer = createMailer({ ...config.mail, outboxDir: join(config.dataDir, 'outbox'), now: () => clock.now() });
  const signin = createSignInService({
    store: signinStore,
    writer,
    clock,
    mailer,
    site,
    policy: { ...DEFAULT_PASSWORD_POLICY, minLength: config.signin.passwordMinLength },
    resetTtlSeconds: config.signin.passwordResetTtlSeconds,
    onMailError: (error) => log.error({ err: error }, 'password-reset e-mail could not be sent'),
    keyEncryption: kek,
    lockout: {
      windowSeconds: config.signin.lockoutWindowSeconds,
      lockSeconds: config.signin.lockoutSeconds,
      failuresPerLogin: config.signin.lockoutFailuresPerLogin,
      failuresPerAddress: config.signin.lockoutFailuresPerAddress,
    },
    metrics: signinMetrics,
    webauthn: () => relyingParty(config.webauthn, site.url),
    accountSettingsOf: async (accountId) => {
      const settings = await identity.lookup.effectiveSettingsOf(accountId);
      return {
        mfa: settings.mfa,
        userMfa: settings.userMfa,
        sessionExpirationSeconds: Number(settings.sessionExpirationInSeconds),
        sessionInvalidationSeconds: Number(settings.sessionInvalidationInSeconds),
      };
    },
  });
  // A user removed from an account loses their sessions and tokens there (src/signin/revocation.ts).
  identityRemovals.push(signin.userRemovedIn);
  const federation = createFederationService({
    store: createFederationStore(db),
    writer,
    clock,
    authorizer,
    keyEncryption: kek,
    site,
    settings: config.federation,
    openSession: signin.sessions.open,
    applyFederatedLogin: accessGroups.applyFederatedLogin,
  });
  const users = createUsersService({
    store: createUsersStore(db),
    accounts: accountsStore,
    apiKeys: identityStore,
    issueApiKey: identity.issueApiKeyIn,
    passwords: signin.passwords,
    mailer,
    invitationTtlSeconds: config.users.invitationTtlSeconds,
    site,
    userListRestricted: async (accountId) =>
      (await identity.lookup.effectiveSettingsOf(accountId)).restrictUserListVisibility === 'RESTRICTED',
    links: userLinks({ accessGroups, policies: policyManagement, onIdentityRemoved: identityRemovals }),
    writer,
    clock,
    authorizer,
  });

  const enterpriseStore = createEnterpriseStore(db);
  // Enterprise-managed templates: the shared core every template kind registers with.
  const templates = createTemplatesCore({
    store: templateStore, directory: enterpriseDirectory(enterpriseStore), writer, clock, authorizer, log, runLeaseMs: config.templates.runLeaseMs,
  });
  const policyTemplates = createPolicyTemplates({ db, core: templates, store: templateStore, policies: policyManagement, catalog, clock });
  const groupTemplates = templates.register(
    createGroupKind({ groups: accessGroupsStore, directory, templates: templateStore, clock, policyTemplates: policyReferenceApplier(policyTemplates.policyKind, templateStore) }),
  );
  const accountSettingsTemplates = templates.register(createAccountSettingsKind({ settings: identity.settings }));
  const profileTemplates = templates.register(createProfileKind({ profiles: trustedProfileStore, templates: templateStore, clock, policyTemplates: policyReferenceApplier(policyTemplates.policyKind, templateStore) }));
  const enterprise = createEnterpriseService({
    store: enterpriseStore,
    accounts: accountsStore,
    createAccountIn: accounts.createAccountIn,
    inviteOwnerIn: users.inviteOwnerIn,
    ownerSetup: ownerSetup({ serviceIds: identity.serviceIds, settings: identity.settings, policies: policyManagement.policies }),
    writer,
    clock,
    authorizer,
    onAccountJoined: [templates.accountJoined],
  });

  const signingKeys = createSigningKeys({ db, writer, clock, rotationSeconds: config.signingKeyRotationSeconds, keyEncryption: kek });
  const issuer = () => `${site.url}/identity`;
  const authenticator = createAuthenticator({
    db, clock, signingKeys, issuer, accounts: accountsStore, directory, profiles: trustedProfileStore, revokedBefore: signin.revocation.revokedBefore,
  });
  // One metrics registry for the process: the HTTP figures and the workload-token refusals.
  const metrics = createMetrics();
  signinMetrics.register(metrics.registry);
  const workload = createWorkloadService({ db, writer, clock, authorizer, config: config.workload, metrics: metrics.registry });
  const profileGrants = createProfileGrants({
    clock,
    signingKeys,
    issuer,
    profiles: trustedProfileStore,
    workload,
    authenticator,
    settingsOf: async (accountId) => {
      const settings = await identity.lookup.effectiveSettingsOf(accountId);
      return { accessTokenSeconds: settings.systemAccessTokenExpirationInSeconds, mfa: settings.mfa };
    },
  });
  const token = createTokenService({
    db, clock, signingKeys, issuer, profileGrants,
    passwordSignIn: signin.passwordSignIn,
    subjects: createGrantSubjects(identityStore, accountsStore), keyActivity: identityStore,
    revokedBefore: signin.revocation.revokedBefore,
    acrRequiredOf: signin.acrRequiredOf,
  });

  const cbr = createCbrService({ store: cbrStore, writer, clock, authorizer, catalog, locations: config.cbr.locations });
  const contextEnforcement = createContextEnforcement({
    restrictions: async () => {
      await decisions.ensureRevision(undefined);
      return decisions.snapshot.restrictions;
    },
    grantsOn: (name) => catalog.grantsOn(name),
    exempt: config.cbr.exempt,
    reports: cbrReports,
  });

  const readiness = schemaReadiness(database);
  const allowedAddresses = createAllowedAddresses({
    allowedIpAddressesOf: async (accountId) => (await identity.lookup.effectiveSettingsOf(accountId)).allowedIpAddresses,
    clock,
    exempt: config.allowedIpExempt,
  });
  /**
   * Whether a token or browser session of an account may go to that client address: the account's
   * allowed IPs, and (tokens are iam-identity's) its context-based restrictions. /identity/token,
   * the console's session tokens and its API-key and account-switch sessions all ask it.
   */
  const admitToken = async (accountId: string, address: string) => {
    await allowedAddresses.admit(accountId, address);
    await contextEnforcement.admit(accountId, 'iam-identity', { clientAddress: address, endpointType: 'public' }, '');
  };

  const buildHttp = (serverFactory?: FastifyServerFactory): Promise<FastifyInstance> =>
    buildApp({
      serverFactory,
      revisions,
      logLevel: config.logLevel,
      bodyLimitBytes: config.bodyLimitBytes,
      readiness,
      metrics: withReportMetric(metrics, cbrReports),
      trustedProxies: config.trustedProxies,
      consoleDir: builtConsoleDir(),
      rateLimits: { settings: config.rateLimit, now: () => clock.now().getTime() },
      admission: async (principal, environment, route, requestId) => {
        await allowedAddresses.admit(principal.accountId, environment.clientAddress);
        await contextEnforcement.admit(principal.accountId, serviceOfRoute(route), environment, principal.iamId, requestId);
      },
      domains: [
        tokenRoutes({
          token, signingKeys, issuer, profiles: profileGrants,
          admit: admitToken,
        }),
        identityRoutes({ identity, authenticator, site }),
        workloadRoutes({ workload, authenticator, site }),
        resourceManagerRoutes({ resources, authenticator }),
        resourceControllerRoutes({ resources, authenticator }),
        enterpriseRoutes({ enterprise, authenticator }),
        usersRoutes({ users, authenticator }),
        policyManagement.routes(authenticator),
        policyTemplates.routes(authenticator, site),
        catalogRoutes({ catalog: catalogAdmin, authenticator }),
        authzRoutes({ authz: createAuthzService({ decisionPoint: decisions, ownerOf, authorizer }), authenticator }),
        accessGroupRoutes({ accessGroups, authenticator, site }),
        cbrRoutes({ cbr, authenticator, site }),
        signInRoutes({ signin, authenticator }),
        federationRoutes({ federation, authenticator, site }),
        consoleTokenRoutes({
          sessions: signin.sessions, writer, token,
          admit: admitToken,
        }),
        consoleSessionRoutes({
          signin, token,
          admit: admitToken,
        }),
        groupTemplateRoutes({ groupTemplates, authenticator, site }),
        accountSettingsTemplateRoutes({ kind: accountSettingsTemplates, authenticator, site }),
        profileTemplateRoutes({ kind: profileTemplates, authenticator, site }),
        auditRoutes({ audit: createAuditService({ store: createAuditStore(db), authorizer }), authenticator, site }),
      ],
    });

  // Assignment runs a stopped process left in progress are failed (retriable) now, and swept for from here on.
  await templates.start();

  return {
    config,
    clock,
    site,
    database,
    writer,
    accounts,
    identity,
    directory,
    accessGroups,
    resources,
    enterprise,
    users,
    signin,
    federation,
    policyManagement,
    templates,
    policyTemplates,
    signingKeys,
    token,
    authenticator,
    workload,
    buildHttp,
    catalog,
    decisionPoint: decisions,
    cbr,
    async close() {
      templates.stop();
      await templates.idle();
      decisions.stop();
      await permits.stop();
      await stopListening();
      await token.close();
      signingKeys.stop();
      mailer.close();
      await database.close();
    },
  };
}

export type Registry = Awaited<ReturnType<typeof createRegistry>>;
