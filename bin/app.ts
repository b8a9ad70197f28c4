import { App } from 'aws-cdk-lib';
import {
  addPolicyChecks,
  readDeploymentSettings,
  recordBundleSizes,
} from '../functions/eventsourcing/cdk';
import { checkContextFolders, checkHandlers } from '../functions/eventsourcing/declaration';
import { contexts } from '../functions/system';
import { systemDeclaration } from '../lib/declaration';
import { SystemStack } from '../lib/system-stack';

// Every handler export exists and serves exactly its declared routes, and every projection and
// reaction a context's folder exports is in its module, before anything is built.
await checkHandlers(systemDeclaration);
await checkContextFolders(contexts, 'functions');

const app = new App();
const settings = readDeploymentSettings(app.node);
addPolicyChecks(app);
const stack = new SystemStack(app, `EventSourcing-${settings.stage}`, { settings });
recordBundleSizes(stack, stack.functions.values(), app.outdir);
