/**
 * Builds the Herold CDK app: the stack `Herold`, or `Herold-<stage>` with `herold:stage`
 * (environment-agnostic: account and region are resolved at deploy time, so synth needs no
 * credentials), checked by cdk-nag's AwsSolutions pack. The context is validated before any
 * construct exists.
 */
import { Annotations, App, Aspects, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, readHeroldConfig } from './config';
import { HeroldStack } from './herold-stack';

export const STACK_NAME = 'Herold';

/** `Herold` without a stage: the name the first deployment has, which must never change. */
export const stackNameFor = (stage: string): string => (stage ? `${STACK_NAME}-${stage}` : STACK_NAME);

export function createHeroldApp(props?: AppProps): { app: App; stack: HeroldStack } {
  const app = new App(props);
  const config = readHeroldConfig(app.node);
  const stack = new HeroldStack(app, stackNameFor(config.stage), {
    description: 'Herold: publish one message to every social channel, track every delivery, emergencies first',
    config,
  });
  if (!config.alarmEmail)
    Annotations.of(stack).addWarningV2(
      CONTEXT_KEYS.alarmEmail,
      `${CONTEXT_KEYS.alarmEmail} is empty: alarms go to the SNS topic, and nobody is subscribed to it until you subscribe someone`,
    );
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
