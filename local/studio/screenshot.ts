/**
 * `npm run screenshot [-- --out FILE]`: starts a local stack in memory, sets the studio's scene
 * (`screenshot-scene.ts`) and writes the picture to `docs/studio.png`, the README's. Uses
 * Debian's `chromium`, or `CHROMIUM_PATH`. The tests write nothing into the repository; this is
 * how the picture is renewed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertJavaAvailable } from '../java';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/studio.png' } } });

// Set before the stack's modules load: Powertools reads them once.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

assertJavaAvailable();
const { startLocalStack } = await import('../stack');
const { screenshotStudio } = await import('./screenshot-scene');
const out = resolve(values.out);
const stack = await startLocalStack({ httpPort: 0 });
try {
  await screenshotStudio(stack, out);
  console.log(`Wrote ${out}`);
} finally {
  await stack.stop();
}
