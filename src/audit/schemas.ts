import { Type } from '@sinclair/typebox';
import { FreeForm, Nullable } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { PAGE_LIMITS } from './context.js';
import { OUTCOMES } from './types.js';

/** Request and response schemas of the audit API (a Portcullis extension). */

const Id = Type.String({ minLength: 1, maxLength: limits.id });
const idFilter = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: limits.id, description }));
const S = Type.String();
const Outcome = Type.Union(OUTCOMES.map((o) => Type.Literal(o)));

export const AuditListQuery = Type.Object(
  {
    account_id: Id,
    limit: Type.Optional(limitParam(PAGE_LIMITS, `Events per page (default ${PAGE_LIMITS.default}).`)),
    start: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id, description: "The `start` of a previous page's `next`." })),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Events at or after this instant (ISO 8601).' })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Events before this instant (ISO 8601).' })),
    initiator_iam_id: idFilter('Only events of this initiator.'),
    action: idFilter('An action (`iam-identity.apikey.create`) or a prefix ending in `*` (`iam-identity.apikey.*`).'),
    target_type: idFilter('Only events on targets of this type (`apikey`, `policy`, …).'),
    target_id: idFilter('Only events on this target.'),
    outcome: Type.Optional(Outcome),
  },
  { additionalProperties: false },
);

export const AuditEventResponse = Type.Object(
  {
    id: S,
    time: S,
    request_id: S,
    initiator: Type.Object({ iam_id: S, account_id: Nullable(S) }),
    account_id: S,
    action: S,
    target: Type.Object({ type: S, id: S }),
    outcome: Outcome,
    details: FreeForm,
  },
  { title: 'AuditEvent' },
);

export const AuditEventList = Type.Object(
  {
    limit: Type.Integer(),
    first: Type.Object({ href: S }),
    next: Type.Optional(Type.Object({ href: S, start: S })),
    audit_events: Type.Array(AuditEventResponse),
  },
  { title: 'AuditEventList' },
);
