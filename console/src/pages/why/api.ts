import { api, data } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';

/** One question for the decision point, and its explained answer. */
export interface WhyQuestion {
  subject: string;
  action: string;
  resource: Record<string, string>;
}

export interface PolicyTrace {
  policyId: string;
  via: string;
  outcome: string;
  mismatch?: string;
}

export interface WhyAnswer {
  permitted: boolean;
  reason: string;
  policyId?: string;
  role?: string;
  cause?: string;
  ruleId?: string;
  trace?: {
    subjects: string[];
    policies: PolicyTrace[];
    restrictions?: { ruleId: string; mode: string; zones: string[]; satisfied: boolean }[];
  };
}

/** Asks `POST /v2/authz?explain=true`; a request the caller may not ask about is thrown as the API's refusal. */
export async function askWhy(question: WhyQuestion): Promise<WhyAnswer> {
  const reply = await data(
    api.POST('/v2/authz', {
      params: { query: { explain: true } },
      body: [{ subject: { attributes: { id: question.subject } }, action: question.action, resource: { attributes: question.resource } }],
    }),
  );
  const [first] = reply.responses;
  if (!first?.authorizationDecision) {
    const refusal = first?.error?.errors?.[0] as { message?: string; code?: string } | undefined;
    throw new ApiError(refusal?.message ?? 'The decision point gave no decision.', Number(first?.status ?? 500), first?.error?.transactionId, refusal?.code);
  }
  const decision = first.authorizationDecision;
  const explain = (decision.explain ?? {}) as Omit<WhyAnswer, 'permitted' | 'reason'>;
  return { permitted: decision.permitted, reason: decision.reason, ...explain };
}
