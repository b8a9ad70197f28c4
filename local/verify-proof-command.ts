import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { checkpointPublicKey } from '../functions/eventsourcing/integrity/public-key';
// The proof module itself, not the integrity entry: that one also exports the KMS signer.
import { verifyProof } from '../functions/eventsourcing/integrity/proof';

/**
 * `npm run verify-proof -- proof.json public-key.pem`: checks a proof of one event offline, with
 * the public key alone and Node's `crypto` (no AWS SDK, no network). Exit codes: 0 verified,
 * 1 not verified (with the step that failed), 2 usage error or a file that cannot be read.
 */

/** Where the command writes: results to `out`, problems to `err`. */
export interface VerifyProofIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = 'Usage: npm run verify-proof -- <proof.json> <public-key.pem>';

class UsageError extends Error {}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

function readPublicKey(file: string): KeyObject {
  const pem = readText(file, 'public key');
  try {
    return checkpointPublicKey(pem);
  } catch (error) {
    throw new UsageError(`${file} is not a checkpoint public key: ${(error as Error).message}`);
  }
}

/** Parsed JSON, or undefined for text that is not JSON (the proof check then says so). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function verifyFiles(proofFile: string, keyFile: string, io: VerifyProofIo): number {
  const proofText = readText(proofFile, 'proof');
  const publicKey = readPublicKey(keyFile);
  const json = parseJson(proofText);
  const result =
    json === undefined
      ? { ok: false as const, reason: `the proof is malformed: ${proofFile} is not JSON` }
      : verifyProof(json, publicKey);
  if (!result.ok) {
    io.err(`Proof NOT verified: ${result.reason}`);
    return 1;
  }
  const { event, position, checkpoint } = result.proof;
  const { sequence, sealedAt, keyId } = checkpoint.checkpoint;
  io.out(
    `Proof verified: ${event.streamId} v${event.version} at position ${position}, ` +
      `checkpoint ${sequence} (${sealedAt}) signed by ${keyId}`,
  );
  return 0;
}

/** Runs the command on its arguments (after `--`); returns the exit code. */
export function verifyProofCommand(args: readonly string[], io: VerifyProofIo): number {
  const [proofFile, keyFile] = args;
  if (args.length !== 2 || proofFile === undefined || keyFile === undefined) {
    io.err(USAGE);
    return 2;
  }
  try {
    return verifyFiles(proofFile, keyFile, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return 2;
  }
}
