/** Writes `openapi.json`, the description of the deployed API: `npm run openapi`. */
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from './document';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const json = JSON.stringify(await openApiDocument());
// Laid out as the repository's formatter lays it out, so `npm run lint` accepts it as written.
const options = { ...(await resolveConfig('openapi.json')), filepath: 'openapi.json' };
writeFileSync('openapi.json', await format(json, options));
console.log('Wrote openapi.json');
