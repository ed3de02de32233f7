/**
 * Builds the Herold CDK app: the stack `Herold` (environment-agnostic: account and region are
 * resolved at deploy time, so synth needs no credentials) checked by cdk-nag's AwsSolutions pack.
 */
import { App, Aspects, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readHeroldConfig } from './config';
import { HeroldStack } from './herold-stack';

export const STACK_NAME = 'Herold';

export function createHeroldApp(props?: AppProps): { app: App; stack: HeroldStack } {
  const app = new App(props);
  const stack = new HeroldStack(app, STACK_NAME, {
    description: 'Herold: publish one message to every social channel, track every delivery, emergencies first',
    config: readHeroldConfig(app.node),
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
