/**
 * An API refusal as the console shows it: the API's own message and the transaction id the server
 * gave the request (`Transaction-Id`), which its logs and audit events carry.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly transactionId: string | undefined,
    /** The API's error code, where its error shape has one (e.g. `mfa_required`). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message of any of the APIs' error bodies (IBM's styles differ per API). */
function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { errors?: { message?: unknown }[]; errorMessage?: unknown; message?: unknown; error?: unknown };
  const first = b.errors?.[0]?.message;
  if (typeof first === 'string') return first;
  if (typeof b.errorMessage === 'string') return b.errorMessage;
  if (typeof b.message === 'string') return b.message;
  if (typeof b.error === 'string') return b.error;
  return undefined;
}

/** The ApiError of a failed response whose body (parsed JSON, or undefined) is `body`. */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  const message = messageOf(body) ?? `The server answered ${response.status} ${response.statusText}.`;
  const b = (body ?? {}) as { errors?: { code?: unknown }[]; errorCode?: unknown };
  const code = b.errors?.[0]?.code ?? b.errorCode;
  return new ApiError(message, response.status, response.headers.get('transaction-id') ?? undefined, typeof code === 'string' ? code : undefined);
}

/** Reads a response's JSON body, if it has one. */
export async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What to show for any thrown value. */
export function describeError(error: unknown): { message: string; transactionId?: string } {
  if (error instanceof ApiError) return { message: error.message, ...(error.transactionId ? { transactionId: error.transactionId } : {}) };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
