import type { MailMessage } from '../mail/mailer.js';

/** What an invitation message says: who invites whom to which account, until when. */
export interface InvitationLetter {
  email: string;
  iamId: string;
  accountId: string;
  accountName: string;
  invitedBy: string;
  /** Where the server is reached (`Site.url`). */
  siteUrl: string;
  expiresAt: string;
  /** The invitation secret, for an invitee with no identity yet; absent for one who already exists. */
  secret?: string;
  /** The invitee owns the account (it was created for them); otherwise they join it as a member. */
  asOwner?: boolean;
}

/**
 * The e-mail to an invitee. A new invitee gets the secret, which accepts the invitation and
 * yields their first API key (and sets their password, when they choose one); an invitee who already exists gets no secret and accepts while
 * signed in as themselves, then creates their own API key in the account.
 */
export function invitationMessage(letter: InvitationLetter): MailMessage {
  const accept = `${letter.siteUrl}/v2/users/accept`;
  const body = JSON.stringify({ account_id: letter.accountId });
  const intro = [
    letter.asOwner
      ? `${letter.invitedBy} created the account "${letter.accountName}" (${letter.accountId}) with ${letter.email} as its owner,`
      : `${letter.invitedBy} invited ${letter.email} to join the account "${letter.accountName}" (${letter.accountId})`,
    `on ${letter.siteUrl}.`,
    '',
  ];
  const outro = [
    '',
    `The invitation is for this account only and expires at ${letter.expiresAt}.`,
    'If you did not expect it, ignore this message.',
    '',
  ];
  const how = letter.secret
    ? [
        'To accept it and receive your first API key in that account, send the invitation secret as the',
        'bearer token of an accept request (it can be used once):',
        '',
        `  curl -X POST '${accept}' \\`,
        `    -H 'Authorization: Bearer ${letter.secret}' \\`,
        `    -H 'Content-Type: application/json' -d '${body}'`,
        '',
        'or with the IBM Cloud SDK: UserManagementV1 with a BearerTokenAuthenticator holding the secret,',
        `then accept({ accountId: '${letter.accountId}' }).`,
        '',
        'To sign in with a password as well (e.g. `ibmcloud login`, the password grant), choose it now by',
        `adding it to the request body: {"account_id": "${letter.accountId}", "password": "<your new password>"}.`,
        `Your login is ${letter.email}. You can also set or reset it later at ${letter.siteUrl}/signin/password/reset.`,
      ]
    : [
        `You already have an identity on this server (${letter.iamId}). Accept while signed in as`,
        'yourself, with an IAM access token of your own identity:',
        '',
        `  curl -X POST '${accept}' \\`,
        `    -H 'Authorization: Bearer <your IAM access token>' \\`,
        `    -H 'Content-Type: application/json' -d '${body}'`,
        '',
        `(the IBM Cloud SDK: UserManagementV1 accept({ accountId: '${letter.accountId}' }) with your usual`,
        'authenticator). Then create your own API key in that account:',
        `POST ${letter.siteUrl}/v1/apikeys {"name": "…", "iam_id": "${letter.iamId}", "account_id": "${letter.accountId}"}.`,
      ];
  return {
    to: letter.email,
    subject: `Invitation to the account "${letter.accountName}"`,
    text: [...intro, ...how, ...outro].join('\n'),
  };
}
