/**
 * Builds the Herold app as `cdk synth` does, minus the slow parts a unit test does not need:
 * no esbuild bundling and no built-in CloudFormation schema validation.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { createHeroldApp } from '../../infra/herold-app';

export function synthHerold(context: Record<string, unknown> = {}) {
  const { app, stack } = createHeroldApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>;

/** Resources of a type as [logicalId, resource] pairs. */
export const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** Follows a { Ref } or { Fn::GetAtt: [id, attr] } to the logical id it names. */
export const referencedId = (value: unknown): string | undefined => {
  if (value && typeof value === 'object') {
    if ('Ref' in value) return String((value as { Ref: string }).Ref);
    if ('Fn::GetAtt' in value) return String((value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
  }
  return undefined;
};
