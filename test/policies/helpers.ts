/** Helpers of the policy tests only; callers, raw HTTP and error helpers are in test/helpers/. */

/** The error an SDK call failed with: status and IBM's error body (fails the test when the call succeeds). */
export async function failureOf(call: Promise<unknown>): Promise<{ status: number; code: string | undefined; body: any }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; body?: string; result?: any };
    const body = e.result ?? (typeof e.body === 'string' ? JSON.parse(e.body) : e.body);
    return { status: e.status, code: body?.errors?.[0]?.code, body };
  }
  throw new Error('expected the call to fail');
}

export const role = (name: string) => `crn:v1:bluemix:public:iam::::role:${name}`;
export const serviceRole = (name: string) => `crn:v1:bluemix:public:iam::::serviceRole:${name}`;

/** A v1 access policy body for the SDK's createPolicy/replacePolicy. */
export function v1Access(accountId: string, iamId: string, attributes: Record<string, string>, roles: string[] = [role('Viewer')]) {
  return {
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: iamId }] }],
    roles: roles.map((role_id) => ({ role_id })),
    resources: [
      { attributes: [{ name: 'accountId', value: accountId }, ...Object.entries(attributes).map(([name, value]) => ({ name, value }))] },
    ],
  };
}

/** A v2 access policy body for the SDK's createV2Policy/replaceV2Policy. */
export function v2Access(accountId: string, iamId: string, attributes: Record<string, string>, roles: string[] = [role('Viewer')]) {
  return {
    type: 'access',
    subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: iamId }] },
    resource: {
      attributes: [
        { key: 'accountId', operator: 'stringEquals', value: accountId },
        ...Object.entries(attributes).map(([key, value]) => ({ key, operator: 'stringEquals', value })),
      ],
    },
    control: { grant: { roles: roles.map((role_id) => ({ role_id })) } },
  };
}
