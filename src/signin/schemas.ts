import { Type } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';

/** Request schemas of the sign-in API (JSON bodies; no unknown fields). */

const strict = { additionalProperties: false };
/** A password as typed: long enough for any policy, bounded so hashing stays cheap to refuse. */
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Login = Type.String({ minLength: 1, maxLength: limits.text });

export const ResetRequestBody = Type.Object({ username: Login }, { ...strict, title: 'PasswordResetRequest' });
export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: limits.opaque }), password: Password },
  { ...strict, title: 'PasswordResetConfirmation' },
);
