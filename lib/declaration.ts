import type { SystemDeclaration } from '../functions/eventsourcing/declaration';
import * as system from '../functions/system';

export {
  validateDeclaration,
  type SystemDeclaration,
} from '../functions/eventsourcing/declaration';

/** The real system, as declared in `functions/system.ts`. */
export const systemDeclaration: SystemDeclaration = {
  tables: system.tables,
  buckets: system.buckets,
  signingKeys: system.signingKeys,
  functions: system.functions,
  routes: system.routes,
  streamHosts: system.streamHosts,
};
