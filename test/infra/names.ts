/**
 * The physical names a synthesised Herold template gives its resources: every `…Name` property
 * written as a literal (queues, functions, log groups, alarms, the dashboard, the schedule group …)
 * and the name patterns IAM policies grant on (channel secrets, message schedules). Names
 * CloudFormation generates (the table, the topic, roles) are not in the template, and carry the
 * stack name anyway.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** `<resource type> <property>: <name>`, one entry per name, sorted. */
export function physicalNames(template: Template): string[] {
  const names = new Set<string>();
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  for (const resource of Object.values(resources)) {
    for (const [property, value] of Object.entries(resource.Properties ?? {})) {
      if (/Name$/.test(property) && typeof value === 'string') names.add(`${resource.Type} ${property}: ${value}`);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::Role') {
      for (const pattern of JSON.stringify(resource.Properties).matchAll(/:(secret:[^"*]*\*|schedule\/[^"*]*\*)/g))
        names.add(`${resource.Type} grant: ${pattern[1]}`);
    }
  }
  return [...names].sort();
}

/**
 * Names that only need to be unique inside their parent (a user pool's groups, an API's stage and
 * authorizer, a role's inline policy), and labels that need not be unique at all: two stacks may
 * share them.
 */
const NOT_ACCOUNT_WIDE = [
  /^AWS::Cognito::UserPoolGroup /,
  /^AWS::ApiGatewayV2::(Stage|Authorizer) /,
  /^AWS::IAM::Policy PolicyName:/,
  / DisplayName:/,
];

/** The names that must be unique in an account and region: what two stages must not share. */
export const accountWideNames = (template: Template): string[] =>
  physicalNames(template)
    .filter((entry) => !NOT_ACCOUNT_WIDE.some((pattern) => pattern.test(entry)))
    .map((entry) => entry.replace(/^AWS::IAM::(Policy|Role) grant/, 'AWS::IAM grant'));
