/**
 * `npm run verify-proof -- proof.json public-key.pem`: verifies a proof of one event offline
 * (see verify-proof-command.ts). Imports nothing from the AWS SDK.
 */
import { verifyProofCommand } from './verify-proof-command';

process.exitCode = verifyProofCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
