import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppendOnlyTablesCheck } from './append-only-check.js';

/**
 * Checks run on every synthesis: cdk-nag's AWS Solutions rules (each finding fixed or
 * acknowledged with its reason next to the resource) and the append-only tables guard.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new AppendOnlyTablesCheck());
}
