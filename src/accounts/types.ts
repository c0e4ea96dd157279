export interface Account {
  id: string;
  name: string;
  ownerIamId: string;
  state: 'ACTIVE' | 'SUSPENDED';
  createdAt: string;
}

export interface User {
  iamId: string;
  /** Login name; an e-mail address for IBMid users. */
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  realm: string;
}

/** What `portcullis bootstrap` prints: everything a newcomer needs to call the APIs. */
export interface BootstrapResult {
  account_id: string;
  iam_id: string;
  apikey: string;
  url: string;
}
