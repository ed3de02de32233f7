/** CDK entry point (cdk.json: `npx tsx infra/app.ts`). */
import { HeroldContextError } from './config';
import { createHeroldApp } from './herold-app';

try {
  createHeroldApp().app.synth();
} catch (error) {
  // a wrong setting is the operator's to fix: say which, without a stack trace
  if (!(error instanceof HeroldContextError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
