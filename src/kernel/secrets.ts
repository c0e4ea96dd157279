import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The stored form of a high-entropy secret (API key values, refresh tokens): SHA-256, hex. These
 * secrets are random 256-bit values, so a fast hash is enough to make the stored form useless to a
 * thief, and lets a grant find its key by an indexed lookup.
 */
export const hashSecret = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Compares two strings in constant time (for equal lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
