/** What the console reads of an IAM access token (its payload, not verified: the server does that). */
export interface TokenClaims {
  iam_id: string;
  sub: string;
  name?: string;
  email?: string;
  exp: number;
  account?: { bss?: string };
}

export function claimsOf(accessToken: string): TokenClaims {
  const payload = accessToken.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as TokenClaims;
}
