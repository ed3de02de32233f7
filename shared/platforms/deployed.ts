/** Refusing work for a platform this deployment has no lane for (CDK context `herold:platforms`). */
import { ProblemError } from '../api/problem';
import { isDeployed, notDeployedReason } from '../config';
import type { PlatformId } from './registry';

/** 422 with the setting to change: a channel on this platform cannot be created or connected here. */
export function requireDeployed(platform: PlatformId, env: NodeJS.ProcessEnv = process.env): void {
  if (!isDeployed(platform, env))
    throw new ProblemError(422, notDeployedReason(platform), {
      errors: [{ field: 'platform', message: `"${platform}" is not one of this deployment's platforms` }],
    });
}
