/** CDK entry point (cdk.json: `npx tsx infra/app.ts`). */
import { createHeroldApp } from './herold-app';

createHeroldApp().app.synth();
