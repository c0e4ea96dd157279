import type { Command } from 'commander';
import { leaf, list } from '../client/command.js';
import { CliError } from '../client/errors.js';
import { accessGroup, user, users } from './resolve.js';

/** `iam users`, `user-invite`, `user-remove` (`ibmcloud account users/user-invite/user-remove`). */
export function registerUsers(iam: Command): void {
  leaf(iam, { name: 'users', description: 'list the users of the account', example: 'portcullis iam users --output json' }, async (ctx) => {
    ctx.out.progress(`Getting users in account ${ctx.api.accountId}...`);
    const all = await users(ctx.api);
    ctx.out.ok();
    ctx.out.list(all, [['User ID', (u) => u.user_id], ['Email', (u) => u.email], ['IAM ID', (u) => u.iam_id], ['State', (u) => u.state]], 'No user found.');
  });

  leaf(
    iam,
    {
      name: 'user-invite <email>',
      description: 'invite a user into the account (an e-mail tells them how to accept)',
      example: 'portcullis iam user-invite bob@example.com --access-groups developers',
      flags: (c) => c.option('--access-groups <groups>', 'comma-separated access groups (names or IDs) to add them to').option('--account-role <role>', 'Member or Owner', 'Member'),
    },
    async (ctx, args, flags) => {
      const groups = await Promise.all(list(flags.accessGroups as string | undefined).map((g) => accessGroup(ctx.api, g)));
      ctx.out.progress(`Inviting ${args[0]} to account ${ctx.api.accountId}...`);
      const { result } = await ctx.api.users.inviteUsers({
        accountId: ctx.api.accountId,
        users: [{ email: args[0]!, account_role: flags.accountRole as string }],
        ...(groups.length && { accessGroups: groups.map((g) => g.id!) }),
      });
      const invited = result.resources?.[0];
      if (!invited) throw new CliError(`The server invited nobody.`);
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.fields([['Email', invited.email], ['IAM ID', invited.id], ['State', invited.state]]));
    },
  );

  leaf(iam, { name: 'user-remove <user>', description: 'remove a user from the account', example: 'portcullis iam user-remove bob@example.com -f', destructive: true }, async (ctx, args) => {
    const u = await user(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to remove user ${u.user_id ?? u.iam_id} from account ${ctx.api.accountId}?`);
    ctx.out.progress(`Removing user ${u.user_id ?? u.iam_id}...`);
    await ctx.api.users.removeUser({ accountId: ctx.api.accountId, iamId: u.iam_id! });
    ctx.out.ok();
    ctx.out.result({ iam_id: u.iam_id, removed: true }, () => ctx.out.message(`User ${u.user_id ?? u.iam_id} removed.`));
  });
}
