import { Dropdown, Stack, Tag, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { staleAs } from '../../api/versioned.ts';
import { DataList, type Column } from '../../ui/DataList.tsx';
import { navigate } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { ConditionsEditor, conditionsComplete, type ConditionDraft } from '../../ui/Conditions.tsx';
import { ConfirmDelete, FormModal, NamedForm } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { EditDeleteActions, PageHeader } from '../../ui/PageHeader.tsx';
import type { Profile } from './index.tsx';
import '../access.css';

/**
 * One trusted profile (edit its name and description with its ETag, delete it): who may assume it — its claim rules (federated users by SAML claims, compute
 * resources by their token's claims), its links to compute resources, the users and service IDs it
 * lists — and the trusted issuers of the account, whose workload tokens the Profile-CR rules match.
 */
type ClaimRule = paths['/v1/profiles/{profile_id}/rules']['get']['responses'][200]['content']['application/json']['rules'][number];
type ProfileLink = paths['/v1/profiles/{profile_id}/links']['get']['responses'][200]['content']['application/json']['links'][number];
type ProfileIdentity = NonNullable<paths['/v1/profiles/{profile_id}/identities']['get']['responses'][200]['content']['application/json']['identities']>[number];
type Issuer = paths['/v1/trusted_issuers']['get']['responses'][200]['content']['application/json']['trusted_issuers'][number];

const CR_TYPES = ['IKS_SA', 'ROKS_SA', 'VSI', 'CE', 'WORKLOAD'];
/** The operators of trusted-profile claim rule conditions (IBM's, with NOT_IN). */
const OPERATORS = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'NOT_IN', 'CONTAINS'] as const;

export default function TrustedProfileDetail({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const [loaded, setLoaded] = useState<{ profile: Profile; etag: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useEffect(() => {
    api.GET('/v1/profiles/{profile_id}', { params: { path: { profile_id: id } } }).then(async (result) => {
      setLoaded({ profile: await data(Promise.resolve(result)), etag: result.response.headers.get('etag') ?? '' });
    }).catch(setError);
  }, [id, reload]);
  const profile = loaded?.profile;
  return (
    <div className="pc-page">
      <PageHeader
        title={profile?.name ?? id}
        back={{ label: 'Trusted profiles', path: '/trusted-profiles' }}
        description={profile?.description}
        actions={profile ? <EditDeleteActions onEdit={() => setEditing(true)} onDelete={() => setDeleting(true)} /> : undefined}
      />
      {error !== undefined ? <ErrorNotice error={error} title="Could not load the trusted profile" /> : null}
      {profile ? (
        <>
          <Fields
            label="Trusted profile"
            rows={[
              ['ID', profile.id],
              ['IAM ID', profile.iam_id],
              ['Description', profile.description],
              ['Created', profile.created_at ? new Date(profile.created_at).toLocaleString() : ''],
            ]}
          />
          <ClaimRules profileId={id} />
          <Links profileId={id} />
          <Identities profileId={id} />
          <Issuers />
        </>
      ) : null}
      {editing && loaded ? (
        <NamedForm
          title={`Edit ${loaded.profile.name}`}
          idPrefix="profile-edit"
          initial={loaded.profile}
          save={(fields) => data(api.PUT('/v1/profiles/{profile_id}', { params: { path: { profile_id: id } }, headers: { 'If-Match': loaded.etag }, body: fields }))}
          onClose={() => setEditing(false)}
          onSaved={() => setReload((n) => n + 1)}
        />
      ) : null}
      {deleting && profile ? (
        <ConfirmDelete
          kind="trusted profile"
          name={profile.name}
          consequence="Nobody can assume the profile any more; its policies go with it."
          onConfirm={async () => {
            await data(api.DELETE('/v1/profiles/{profile_id}', { params: { path: { profile_id: id } } }));
            navigate('/trusted-profiles');
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}

function ClaimRules({ profileId }: { profileId: string }) {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/profiles/{profile_id}/rules', { params: { path: { profile_id: profileId } } }))).rules }), [profileId]);
  const columns: Column<ClaimRule>[] = [
    { key: 'name', header: 'Name', cell: (r) => r.name ?? r.id },
    { key: 'type', header: 'Type', cell: (r) => <Tag type={r.type === 'Profile-SAML' ? 'blue' : 'teal'}>{r.type === 'Profile-SAML' ? 'Federated users' : `Compute resources (${r.cr_type ?? ''})`}</Tag> },
    { key: 'conditions', header: 'Conditions', cell: (r) => r.conditions.map((c) => `${c.claim} ${c.operator} ${c.value}`).join(' and ') },
    { key: 'realm', header: 'Realm', cell: (r) => r.realm_name ?? '' },
  ];
  return (
    <ManagedList
      section="Trust relationship: claim rules"
      title="Claim rules"
      description="Who may assume the profile by the claims in their token."
      columns={columns}
      rowKey={(r) => r.id}
      load={load}
      pageSizes={[100]}
      create={{ label: 'Add claim rule', form: (onClose, onSaved) => <ClaimRuleForm profileId={profileId} onClose={onClose} onSaved={onSaved} /> }}
      edit={(r) => (onClose, onSaved) => <ClaimRuleForm profileId={profileId} rule={r} onClose={onClose} onSaved={onSaved} />}
      remove={{
        kind: 'claim rule',
        name: (r) => r.name ?? r.id,
        consequence: 'Identities that matched only this rule can no longer assume the profile.',
        run: (r) => data(api.DELETE('/v1/profiles/{profile_id}/rules/{rule_id}', { params: { path: { profile_id: profileId, rule_id: r.id } } })),
      }}
      empty={{ title: 'No claim rules' }}
    />
  );
}

/** The text a claim rule's condition value shows: values are JSON ("\"dev\""); a string is shown unquoted, anything else (an IN list) as its JSON. */
function plainValue(value: string): string {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** The JSON value a typed text stands for: a JSON list (for IN / NOT_IN) as typed, any other text as a JSON string. */
function jsonValue(text: string): string {
  const trimmed = text.trim();
  try {
    if (Array.isArray(JSON.parse(trimmed))) return trimmed;
  } catch {
    // Not JSON: a plain value.
  }
  return JSON.stringify(trimmed);
}

/**
 * Add a claim rule, or edit one (`rule`): saved with the rule's ETag as If-Match, so a change made
 * since the list was loaded is refused (412) and said so. Every condition is edited; the whole
 * rule is sent.
 */
function ClaimRuleForm({ profileId, rule, onClose, onSaved }: { profileId: string; rule?: ClaimRule; onClose: () => void; onSaved: () => void }) {
  const TYPES = [
    { id: 'Profile-CR', text: 'Compute resources' },
    { id: 'Profile-SAML', text: 'Federated users (SAML)' },
  ];
  const [type, setType] = useState(TYPES.find((t) => t.id === rule?.type) ?? TYPES[0]!);
  const [crType, setCrType] = useState(rule?.cr_type ?? CR_TYPES[0]!);
  const [realm, setRealm] = useState(rule?.realm_name ?? '');
  const [name, setName] = useState(rule?.name ?? '');
  const [conditions, setConditions] = useState<ConditionDraft[]>(
    rule ? rule.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: plainValue(c.value) })) : [{ claim: '', operator: 'EQUALS', value: '' }],
  );
  return (
    <FormModal
      title={rule ? `Edit claim rule ${rule.name ?? rule.id}` : 'Add a claim rule'}
      submitLabel={rule ? 'Save' : 'Add'}
      invalid={!conditionsComplete(conditions) || (type.id === 'Profile-SAML' && !realm.trim())}
      onClose={onClose}
      onSubmit={async () => {
        const body = {
          type: type.id,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(type.id === 'Profile-CR' ? { cr_type: crType } : { realm_name: realm.trim(), expiration: rule?.expiration ?? 43200 }),
          conditions: conditions.map((c) => ({ claim: c.claim.trim(), operator: c.operator, value: jsonValue(c.value) })),
        };
        try {
          if (rule) {
            await data(
              api.PUT('/v1/profiles/{profile_id}/rules/{rule_id}', { params: { path: { profile_id: profileId, rule_id: rule.id } }, headers: { 'If-Match': rule.entity_tag }, body }),
            );
          } else {
            await data(api.POST('/v1/profiles/{profile_id}/rules', { params: { path: { profile_id: profileId } }, body }));
          }
        } catch (failure) {
          throw staleAs(failure, 'claim rule');
        }
        onSaved();
      }}
    >
      <Stack gap={5}>
        <Dropdown id="rule-type" titleText="Who" label="Type" items={TYPES} itemToString={(t: (typeof TYPES)[number] | null) => t?.text ?? ''} selectedItem={type} onChange={({ selectedItem }: { selectedItem: (typeof TYPES)[number] | null }) => setType(selectedItem ?? TYPES[0]!)} />
        {type.id === 'Profile-CR' ? (
          <Dropdown id="rule-cr-type" titleText="Compute resource type" label="Type" items={CR_TYPES} selectedItem={crType} onChange={({ selectedItem }: { selectedItem: string | null }) => setCrType(selectedItem ?? CR_TYPES[0]!)} />
        ) : (
          <TextInput id="rule-realm" labelText="Identity provider (realm name)" value={realm} onChange={(e) => setRealm(e.target.value)} />
        )}
        <TextInput id="rule-name" labelText="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
        <ConditionsEditor
          idPrefix="rule"
          conditions={conditions}
          onChange={setConditions}
          operators={OPERATORS}
          claimPlaceholder={type.id === 'Profile-CR' ? 'namespace' : 'groups'}
          valueHelper='For IN and NOT_IN, a JSON list: ["a","b"]'
        />
      </Stack>
    </FormModal>
  );
}

function Links({ profileId }: { profileId: string }) {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/profiles/{profile_id}/links', { params: { path: { profile_id: profileId } } }))).links }), [profileId]);
  const columns: Column<ProfileLink>[] = [
    { key: 'type', header: 'Type', cell: (l) => l.cr_type },
    { key: 'crn', header: 'Compute resource', cell: (l) => <code>{l.link.crn ?? ''}</code> },
    { key: 'namespace', header: 'Namespace / name', cell: (l) => [l.link.namespace, l.link.name].filter(Boolean).join(' / ') },
  ];
  return (
    <ManagedList
      section="Trust relationship: compute-resource links"
      title="Compute-resource links"
      description="Compute resources that may assume the profile, named one by one."
      columns={columns}
      rowKey={(l) => l.id}
      load={load}
      pageSizes={[100]}
      create={{ label: 'Link a compute resource', form: (onClose, onSaved) => <CreateLink profileId={profileId} onClose={onClose} onCreated={onSaved} /> }}
      remove={{
        kind: 'link',
        name: (l) => l.link.crn ?? l.id,
        run: (l) => data(api.DELETE('/v1/profiles/{profile_id}/links/{link_id}', { params: { path: { profile_id: profileId, link_id: l.id } } })),
      }}
      empty={{ title: 'No links' }}
    />
  );
}

function CreateLink({ profileId, onClose, onCreated }: { profileId: string; onClose: () => void; onCreated: () => void }) {
  const [crType, setCrType] = useState(CR_TYPES[2]!);
  const [crn, setCrn] = useState('');
  const [namespace, setNamespace] = useState('');
  const [name, setName] = useState('');
  const needsNamespace = crType === 'IKS_SA' || crType === 'ROKS_SA';
  return (
    <FormModal
      title="Link a compute resource"
      submitLabel="Link"
      invalid={!crn.trim() || (needsNamespace && !namespace.trim())}
      onClose={onClose}
      onSubmit={async () => {
        await data(
          api.POST('/v1/profiles/{profile_id}/links', {
            params: { path: { profile_id: profileId } },
            body: { cr_type: crType, link: { crn: crn.trim(), ...(namespace.trim() ? { namespace: namespace.trim() } : {}), ...(name.trim() ? { name: name.trim() } : {}) } },
          }),
        );
        onCreated();
      }}
    >
      <Stack gap={5}>
        <Dropdown id="link-cr-type" titleText="Compute resource type" label="Type" items={CR_TYPES} selectedItem={crType} onChange={({ selectedItem }: { selectedItem: string | null }) => setCrType(selectedItem ?? CR_TYPES[2]!)} />
        <TextInput id="link-crn" labelText="CRN of the compute resource" value={crn} onChange={(e) => setCrn(e.target.value)} />
        {needsNamespace ? (
          <div className="pc-assign-pair">
            <TextInput id="link-namespace" labelText="Namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} />
            <TextInput id="link-name" labelText="Service account (optional)" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
        ) : null}
      </Stack>
    </FormModal>
  );
}

function Identities({ profileId }: { profileId: string }) {
  const load = useCallback(
    async () => ({ items: (await data(api.GET('/v1/profiles/{profile_id}/identities', { params: { path: { profile_id: profileId } } }))).identities ?? [] }),
    [profileId],
  );
  const columns: Column<ProfileIdentity>[] = [
    { key: 'type', header: 'Type', cell: (i) => (i.type === 'user' ? 'User' : i.type === 'serviceid' ? 'Service ID' : i.type) },
    { key: 'identifier', header: 'Identifier', cell: (i) => i.identifier },
    { key: 'accounts', header: 'From accounts', cell: (i) => (i.accounts ?? []).join(', ') },
    { key: 'description', header: 'Description', cell: (i) => i.description ?? '' },
  ];
  return (
    <ManagedList
      section="Trust relationship: identities"
      title="Users and service IDs that may assume it"
      columns={columns}
      rowKey={(i) => `${i.type}:${i.identifier}`}
      load={load}
      pageSizes={[100]}
      create={{ label: 'Add identity', form: (onClose, onSaved) => <AddIdentity profileId={profileId} onClose={onClose} onAdded={onSaved} /> }}
      remove={{
        label: 'Remove',
        kind: 'identity',
        name: (i) => i.identifier,
        consequence: 'It can no longer assume the profile.',
        run: (i) =>
          data(
            api.DELETE('/v1/profiles/{profile_id}/identities/{identity_type}/{identifier_id}', {
              params: { path: { profile_id: profileId, identity_type: i.type, identifier_id: i.identifier } },
            }),
          ),
      }}
      empty={{ title: 'No identities listed' }}
    />
  );
}

function AddIdentity({ profileId, onClose, onAdded }: { profileId: string; onClose: () => void; onAdded: () => void }) {
  const TYPES = [
    { id: 'user', text: 'User (IAM ID)' },
    { id: 'serviceid', text: 'Service ID (its ID)' },
  ];
  const [type, setType] = useState(TYPES[0]!);
  const [identifier, setIdentifier] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title="Add an identity that may assume the profile"
      submitLabel="Add"
      invalid={!identifier.trim()}
      onClose={onClose}
      onSubmit={async () => {
        await data(
          api.POST('/v1/profiles/{profile_id}/identities/{identity_type}', {
            params: { path: { profile_id: profileId, identity_type: type.id } },
            body: { identifier: identifier.trim(), type: type.id, accounts: [accountId()], ...(description.trim() ? { description: description.trim() } : {}) },
          }),
        );
        onAdded();
      }}
    >
      <Stack gap={5}>
        <Dropdown id="identity-type" titleText="Type" label="Type" items={TYPES} itemToString={(t: (typeof TYPES)[number] | null) => t?.text ?? ''} selectedItem={type} onChange={({ selectedItem }: { selectedItem: (typeof TYPES)[number] | null }) => setType(selectedItem ?? TYPES[0]!)} />
        <TextInput id="identity-identifier" labelText="Identifier" value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
        <TextInput id="identity-description" labelText="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Stack>
    </FormModal>
  );
}

function Issuers() {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/trusted_issuers', { params: { query: { account_id: accountId() } } }))).trusted_issuers }), []);
  const columns: Column<Issuer>[] = [
    { key: 'name', header: 'Issuer', cell: (i) => i.name },
    { key: 'type', header: 'Type', cell: (i) => i.type },
    { key: 'issuer', header: 'iss', cell: (i) => <code>{i.issuer}</code> },
    { key: 'audiences', header: 'Audiences', cell: (i) => i.audiences.join(', ') },
  ];
  return (
    <section className="pc-section" aria-label="Trusted issuers">
      <DataList
        title="Trusted issuers of the account"
        description="Whose workload tokens compute-resource rules and links accept."
        columns={columns}
        rowKey={(i) => i.id}
        load={load}
        pageSizes={[100]}
        empty={{ title: 'No trusted issuers', text: 'Create them with the trusted-issuer API (POST /v1/trusted_issuers).' }}
      />
    </section>
  );
}
