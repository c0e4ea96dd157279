import { InlineNotification, Tag, TreeNode, TreeView } from '@carbon/react';
import { useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import '../access.css';

/**
 * Enterprise: the account tree of the enterprise this account belongs to (account groups and
 * accounts, by parent CRN), when the signed-in identity may see it (`GET /v1/enterprises`,
 * `/v1/account-groups`, `/v1/accounts`); otherwise the API's answer says why not.
 */
interface Node {
  crn: string;
  parent?: string;
  name: string;
  kind: 'enterprise' | 'group' | 'account';
  id: string;
  state: string;
}

interface Tree {
  enterprise: { id: string; name: string; crn: string; primary_contact_email: string; domain?: string | undefined; state: string };
  nodes: Node[];
}

async function treeOf(): Promise<Tree | undefined> {
  const enterprises = await data(api.GET('/v1/enterprises', { params: { query: { account_id: accountId() } } }));
  const enterprise = enterprises.resources[0];
  if (!enterprise) return undefined;
  const [groups, accounts] = await Promise.all([
    data(api.GET('/v1/account-groups', { params: { query: { enterprise_id: enterprise.id, limit: 100 } } })),
    data(api.GET('/v1/accounts', { params: { query: { enterprise_id: enterprise.id, limit: 100 } } })),
  ]);
  return {
    enterprise,
    nodes: [
      ...groups.resources.map((g): Node => ({ crn: g.crn, parent: g.parent, name: g.name, kind: 'group', id: g.id, state: g.state })),
      ...accounts.resources.map((a): Node => ({ crn: a.crn, parent: a.parent, name: a.name, kind: 'account', id: a.id, state: a.state })),
    ],
  };
}

export default function EnterprisePage() {
  const [tree, setTree] = useState<Tree | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    treeOf().then((t) => setTree(t ?? null), setError);
  }, []);

  const render = (parent: string) =>
    tree!.nodes
      .filter((n) => n.parent === parent)
      .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'group' ? -1 : 1))
      .map((n) => (
        <TreeNode
          key={n.crn}
          id={n.crn}
          isExpanded
          label={
            <span>
              {n.name} <Tag size="sm" type={n.kind === 'group' ? 'purple' : n.id === accountId() ? 'green' : 'cool-gray'}>{n.kind === 'group' ? 'Account group' : n.id === accountId() ? 'This account' : 'Account'}</Tag>
            </span>
          }
        >
          {n.kind === 'group' ? render(n.crn) : undefined}
        </TreeNode>
      ));

  return (
    <div className="pc-page">
      <PageHeader title="Enterprise" description="The enterprise this account belongs to: its account groups and accounts." />
      {error !== undefined ? <ErrorNotice error={error} title="The enterprise cannot be shown" /> : null}
      {tree === undefined && error === undefined ? <p>Loading…</p> : null}
      {tree === null ? <InlineNotification kind="info" lowContrast hideCloseButton title="No enterprise" subtitle="This account is not part of an enterprise you can see." /> : null}
      {tree ? (
        <>
          <Fields
            label="Enterprise"
            rows={[
              ['Name', tree.enterprise.name],
              ['ID', tree.enterprise.id],
              ['Domain', tree.enterprise.domain],
              ['Primary contact', tree.enterprise.primary_contact_email],
              ['State', tree.enterprise.state],
            ]}
          />
          <h2 className="pc-subtitle">Accounts</h2>
          <TreeView label="Enterprise accounts" hideLabel>
            {render(tree.enterprise.crn)}
          </TreeView>
        </>
      ) : null}
    </div>
  );
}
