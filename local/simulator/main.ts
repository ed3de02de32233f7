/**
 * The platform simulator on its own: `npx tsx local/simulator/main.ts` (port from HEROLD_SIM_PORT,
 * default 4010). Prints the base URL settings that point Herold's clients at it.
 */
import { simBaseUrlEnv, startSimulator } from './server';

const port = Number(process.env.HEROLD_SIM_PORT ?? 4010);
const simulator = await startSimulator({ port });
console.log(`platform simulator on ${simulator.url}`);
for (const [name, value] of Object.entries(simBaseUrlEnv(simulator.url))) console.log(`${name}=${value}`);

const stop = () => {
  simulator.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
