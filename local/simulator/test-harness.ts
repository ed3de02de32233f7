/** An in-process simulator for tests: a free port, base URLs per platform, faults without HTTP ceremony. */
import type { PlatformId } from '../../shared/platforms/registry';
import { simBaseUrl, startSimulator, type RunningSimulator } from './server';
import type { SimFault, SimPlatform } from './types';

export interface TestSimulator extends RunningSimulator {
  /** the base URL a client of this platform uses (what HEROLD_<PLATFORM>_BASE_URL would be) */
  baseUrl(platform: PlatformId): string;
  injectFaults(...faults: SimFault[]): Promise<void>;
  clearFaults(): Promise<void>;
  /** forget posts, quotas and module state */
  reset(): Promise<void>;
}

export async function startTestSimulator(
  options: { platforms?: SimPlatform[]; seed?: number } = {},
): Promise<TestSimulator> {
  const simulator = await startSimulator({ port: 0, ...options });
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${simulator.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
  };
  return {
    ...simulator,
    baseUrl: (platform) => simBaseUrl(simulator.url, platform),
    injectFaults: (...faults) => control('POST', '/_sim/faults', faults),
    clearFaults: () => control('DELETE', '/_sim/faults'),
    reset: () => control('DELETE', '/_sim/posts'),
  };
}
