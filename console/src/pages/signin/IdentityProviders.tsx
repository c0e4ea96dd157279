import { Button, Stack } from '@carbon/react';

/** An identity provider (SAML or OIDC) of the account that users may sign in through. */
export interface IdentityProvider {
  id: string;
  name: string;
  /** Where the browser goes to start the provider's sign-in (a server endpoint). */
  startUrl: string;
}

/**
 * Buttons of the account's identity providers; nothing when it has none. The list comes from the
 * federation endpoints (src/federation), wired into SignIn's `providers` where they are served.
 */
export function IdentityProviders({ providers }: { providers: IdentityProvider[] }) {
  if (providers.length === 0) return null;
  return (
    <Stack gap={4} className="pc-section">
      <p>Or sign in with</p>
      {providers.map((provider) => (
        <Button key={provider.id} kind="tertiary" href={provider.startUrl}>
          {provider.name}
        </Button>
      ))}
    </Stack>
  );
}
