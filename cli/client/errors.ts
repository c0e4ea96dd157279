/**
 * The CLI's failures and exit codes: 1 for an error the API or the environment reported, 2 for a
 * command line that cannot be run (unknown command, missing argument, bad flag value).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly transactionId?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, 2);

type Body = Record<string, unknown>;
const asBody = (value: unknown): Body | undefined => (value && typeof value === 'object' ? (value as Body) : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** The message of an IBM error body, in any of its APIs' shapes. */
export function messageOfBody(body: Body | undefined): string | undefined {
  if (!body) return undefined;
  const first = Array.isArray(body.errors) ? asBody(body.errors[0]) : undefined;
  const code = text(first?.message_code) ?? text(first?.code) ?? text(body.errorCode) ?? text(body.error_code);
  const message = text(first?.message) ?? text(body.errorMessage) ?? text(body.message);
  if (!message) return undefined;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function transactionIdOf(headers: unknown, body: Body | undefined): string | undefined {
  const h = asBody(headers);
  return (
    text(h?.['transaction-id']) ??
    text(asBody(body?.context)?.transaction_id) ??
    text(asBody(body?.context)?.requestId) ??
    text(body?.transaction_id) ??
    text(body?.trace)
  );
}

/**
 * Turns what the SDK (or fetch) threw into a CliError carrying the API's own message and the
 * call's Transaction-Id (the SDK replaces a 401's message with its own; the body still has IBM's).
 */
export function fromThrown(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const e = asBody(error);
  if (!e) return new CliError(String(error));
  const body = asBody(e.result) ?? (typeof e.body === 'string' ? parseJson(e.body) : undefined);
  const message = messageOfBody(body) ?? text(e.message) ?? String(error);
  const status = typeof e.status === 'number' ? e.status : undefined;
  return new CliError(status ? `${message} [HTTP ${status}]` : message, 1, transactionIdOf(e.headers, body));
}

function parseJson(value: string): Body | undefined {
  try {
    return asBody(JSON.parse(value));
  } catch {
    return undefined;
  }
}
