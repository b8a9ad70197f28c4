/**
 * The operator CLI: `npm run es -- <command>` (see OVERVIEW). It works on the local stack by
 * default, on the tables the TABLE_* variables name when set, and on a deployed stack with
 * `--stack NAME`.
 */
// First: it silences the SDK's Node.js version notice before any module loads the SDK.
import { runCli, terminalIo } from '../cli-support';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { runEs } from './run';
import { applyTarget, checkReachable, localTarget } from './target';

runCli(() =>
  runEs(process.argv.slice(2), terminalIo(), async (io, stack) => {
    const target = stack
      ? await (await import('./stack-target')).stackTarget(stack)
      : localTarget();
    applyTarget(target);
    const client = createDynamoDbClient();
    await checkReachable(client, target);
    const { systemContext } = await import('./context');
    return systemContext(client, target.tables, io, target);
  }),
);
