import { InvalidArgumentError, Option, type Command } from 'commander';
import { Api } from './api.js';
import { confirm } from './confirm.js';
import { Output } from './output.js';
import { connect } from './session.js';

/** What a client command runs with. */
export interface Ctx {
  api: Api;
  out: Output;
  /** Asks before a destructive change unless -f was given. */
  confirm(question: string): Promise<void>;
}

export type Flags = Record<string, unknown>;

export interface LeafSpec {
  /** Name and arguments in commander's syntax, e.g. `service-id-delete <id-or-name>`. */
  name: string;
  description: string;
  /** One example command line, shown by --help. */
  example: string;
  /** Adds -f/--force and makes ctx.confirm ask without it. */
  destructive?: boolean;
  /** Declares the command's own flags. */
  flags?: (command: Command) => Command;
}

const outputFormat = (value: string): 'json' => {
  if (value.toLowerCase() !== 'json') throw new InvalidArgumentError('the only format is JSON.');
  return 'json';
};

/** The flags every client command has: --output json and -q. */
export function withOutputFlags(command: Command): Command {
  return command
    .addOption(new Option('--output <format>', 'print the result as JSON (format: JSON)').argParser(outputFormat))
    .option('-q, --quiet', 'print only the result, no progress lines');
}

export const outputOf = (flags: Flags): Output => new Output(flags.output === 'json', flags.quiet === true);

/**
 * Declares a client command under `parent`: its arguments become `args`, its flags `flags`, and
 * `run` gets the SDK clients of the current login. A variadic last argument is flattened into
 * `args`.
 */
export function leaf(parent: Command, spec: LeafSpec, run: (ctx: Ctx, args: string[], flags: Flags) => Promise<void>): Command {
  const command = withOutputFlags(parent.command(spec.name).description(spec.description));
  if (spec.destructive) command.option('-f, --force', 'do not ask for confirmation');
  spec.flags?.(command);
  command.addHelpText('after', `\nExample:\n  ${spec.example}\n`);
  command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const flags = self.opts<Flags>();
    const args = received.slice(0, self.registeredArguments.length).flat() as string[];
    const ctx: Ctx = {
      api: new Api(await connect()),
      out: outputOf(flags),
      confirm: (question) => (flags.force ? Promise.resolve() : confirm(question)),
    };
    await run(ctx, args, flags);
  });
  return command;
}

/** A comma-separated flag value as a list (`--roles Viewer,Editor`). */
export const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
