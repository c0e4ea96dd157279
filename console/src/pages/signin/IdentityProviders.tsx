import { Button, Stack } from '@carbon/react';

/** An identity provider (SAML or OIDC) of the account that users may sign in through. */
export interface IdentityProvider {
  id: string;
  name: string;
  /** Where the browser goes to start the provider's sign-in (a server endpoint). */
  startUrl: string;
}

/**
 * Buttons of the account's identity providers (`GET /federation/providers`); nothing when it has
 * none. A button leaves the console for the provider, which sends the browser back to the choice
 * page (FederationChoice).
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
