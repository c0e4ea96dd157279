import type { UserProfile, UserSettings } from './types.js';

/** A user's profile → IBM's JSON; settings only when asked for (`include_settings`). */
export function profileWire(p: UserProfile & { settings: UserSettings }, withSettings = false) {
  return {
    id: p.iamId,
    iam_id: p.iamId,
    realm: p.realm,
    user_id: p.userId,
    firstname: p.firstname,
    lastname: p.lastname,
    state: p.state,
    email: p.email,
    phonenumber: p.phonenumber,
    altphonenumber: p.altphonenumber,
    photo: p.photo,
    account_id: p.accountId,
    added_on: p.addedOn,
    ...(withSettings ? { settings: p.settings } : {}),
  };
}
