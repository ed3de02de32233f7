/** Cognito pre-token-generation trigger (V2): adds `org` and `roles` to the ID and access tokens, name and e-mail to the access token. */
import { withHeroldClaims, type PreTokenGenerationV2Event } from '../../shared/auth/token-claims';

export const handler = async <E extends PreTokenGenerationV2Event>(event: E): Promise<E> => withHeroldClaims(event);
