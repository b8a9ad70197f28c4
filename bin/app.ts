import { App } from 'aws-cdk-lib';
import { recordBundleSizes } from '../lib/bundle-sizes';
import { addPolicyChecks } from '../lib/checks';
import { EventSourcingStack } from '../lib/event-sourcing-stack';
import { readDeploymentSettings } from '../lib/settings';

const app = new App();
const settings = readDeploymentSettings(app.node);
addPolicyChecks(app);
const stack = new EventSourcingStack(app, `EventSourcing-${settings.stage}`, { settings });
recordBundleSizes(stack, stack.functions.values(), app.outdir);
