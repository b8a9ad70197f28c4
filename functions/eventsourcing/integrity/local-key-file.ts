import { generateKeyPair, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const newKeyPair = promisify(generateKeyPair);

/** Reads a file's text, or undefined when it does not exist. */
async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes `text` to a new file only its owner can read, and makes it durable. */
async function writePrivateFile(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Publishes a complete temporary file under `file`, unless `file` exists: `link` fails with
 * EEXIST where `rename` would replace, so of two processes creating a key only one wins, and no
 * reader ever sees a half-written file.
 */
async function publishOnce(temporary: string, file: string): Promise<void> {
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
}

/**
 * The text of a secret kept in `file`, made by `make` on first use and written with mode 0600
 * in a directory created with mode 0700. Processes that create it at the same time all end up
 * with the one secret that was published first: each writes a candidate to a temporary file,
 * links it to `file` exclusively, and reads `file` back.
 */
export async function loadOrCreateSecretFile(
  file: string,
  make: () => Promise<string>,
): Promise<string> {
  const existing = await readIfPresent(file);
  if (existing !== undefined) return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writePrivateFile(temporary, await make());
  await publishOnce(temporary, file);
  return readFile(file, 'utf8');
}

/** The PEM (PKCS#8) of the P-256 private key kept in `file`, created on first use. */
export const loadOrCreatePrivateKeyPem = (file: string): Promise<string> =>
  loadOrCreateSecretFile(file, async () => {
    const { privateKey } = await newKeyPair('ec', { namedCurve: 'P-256' });
    return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  });
