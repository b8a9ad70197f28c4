import { App } from 'aws-cdk-lib';
import { recordBundleSizes } from '../lib/bundle-sizes';
import { addPolicyChecks } from '../lib/checks';
import { systemDeclaration } from '../lib/declaration';
import { EventSourcingStack } from '../lib/event-sourcing-stack';
import { checkHandlers } from '../lib/handler-exports';
import { readDeploymentSettings } from '../lib/settings';

// Every handler export exists and serves exactly its declared routes, before anything is built.
await checkHandlers(systemDeclaration);

const app = new App();
const settings = readDeploymentSettings(app.node);
addPolicyChecks(app);
const stack = new EventSourcingStack(app, `EventSourcing-${settings.stage}`, { settings });
recordBundleSizes(stack, stack.functions.values(), app.outdir);
