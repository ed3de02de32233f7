/**
 * Signing in with OpenID Connect (authorization code with PKCE) through oidc-client-ts: Cognito's
 * managed login in AWS, the development sign-in locally. Tokens stay in session storage (gone with
 * the tab), never in local storage. An expired session signs in again and returns to the same page,
 * where the draft is still waiting (lib/drafts.ts); signing out deletes the person's drafts.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { WORKSPACE_PATHS } from '@shared/workspace/paths';
import { connectApiAuth } from './api-client';
import { config } from './config';
import { forgetDrafts } from './drafts';

export interface SignedInUser {
  sub: string;
  name: string;
  accessToken: string;
  expiresAt: number;
}

interface AuthState {
  user: SignedInUser | undefined;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  manager: UserManager;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

let manager: UserManager | undefined;
export function userManager(): UserManager {
  if (manager) return manager;
  const { auth } = config();
  const origin = window.location.origin;
  manager = new UserManager({
    authority: auth.authority,
    client_id: auth.clientId,
    redirect_uri: `${origin}${WORKSPACE_PATHS.signInCallback}`,
    post_logout_redirect_uri: `${origin}${WORKSPACE_PATHS.signedOut}`,
    response_type: 'code',
    scope: auth.scope,
    metadata: auth.metadata,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
  return manager;
}

const toSignedIn = (user: User | null): SignedInUser | undefined =>
  user && !user.expired
    ? {
        sub: user.profile.sub,
        name: String(user.profile.name ?? user.profile.email ?? user.profile.sub),
        accessToken: user.access_token,
        expiresAt: (user.expires_at ?? 0) * 1000,
      }
    : undefined;

const here = () => `${window.location.pathname}${window.location.search}`;

/**
 * One sign-in at a time. An ended session is noticed at once by the token's expiry, by every request
 * that gets a 401 (the emergency bar polls on every page) and by RequireAuth when the person is gone:
 * the first sends the person to the sign-in, the others join it instead of starting a navigation of
 * their own, which would abort it.
 */
let signingIn: Promise<void> | undefined;
function sendToSignIn(manager: UserManager, returnTo = here()): Promise<void> {
  signingIn ??= manager
    .removeUser()
    .then(() => manager.signinRedirect({ state: { returnTo } }))
    .catch((error: unknown) => {
      signingIn = undefined;
      throw error;
    });
  return signingIn;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const manager = userManager();
  const [user, setUser] = useState<SignedInUser | undefined>();
  const [ready, setReady] = useState(false);

  const state = useMemo<AuthState>(
    () => ({
      user,
      manager,
      signIn: (returnTo = here()) => sendToSignIn(manager, returnTo),
      signOut: async () => {
        if (user) forgetDrafts(user.sub);
        const { auth } = config();
        await manager.signoutRedirect({ extraQueryParams: auth.signOutParams });
      },
    }),
    [user, manager],
  );

  useEffect(() => {
    let active = true;
    void manager.getUser().then((stored) => {
      if (!active) return;
      setUser(toSignedIn(stored));
      setReady(true);
    });
    const loaded = (loadedUser: User) => setUser(toSignedIn(loadedUser));
    const expired = () => {
      setUser(undefined);
      sendToSignIn(manager).catch(() => undefined);
    };
    manager.events.addUserLoaded(loaded);
    manager.events.addAccessTokenExpired(expired);
    return () => {
      active = false;
      manager.events.removeUserLoaded(loaded);
      manager.events.removeAccessTokenExpired(expired);
    };
  }, [manager]);

  // set while rendering, before any child's first request goes out
  connectApiAuth({
    accessToken: () => user?.accessToken,
    onUnauthorized: () => {
      setUser(undefined);
      sendToSignIn(manager).catch(() => undefined);
    },
  });

  if (!ready) return null;
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** Renders its children for a signed-in person; anyone else goes to the sign-in and comes back here. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, signIn } = useAuth();
  useEffect(() => {
    if (!user) void signIn();
  }, [user, signIn]);
  return user ? children : null;
}
