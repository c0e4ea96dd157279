/** Helpers of the IAM Identity tests only; callers, raw HTTP and error helpers are in test/helpers/. */

/** The pagetoken query parameter of a page link. */
export const pagetokenOf = (link: string) => new URL(link).searchParams.get('pagetoken') ?? undefined;

/** A timestamp `days` from now in the Identity format. */
export function identityTime(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toISOString().slice(0, 16)}+0000`;
}
