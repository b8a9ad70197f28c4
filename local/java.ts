import { spawnSync } from 'node:child_process';

export const MINIMUM_JAVA_VERSION = 17;

const INSTALL_HINT =
  'Install a Java runtime 17 or newer, e.g. `sudo apt-get install -y openjdk-17-jre-headless` ' +
  '(Debian/Ubuntu) or `brew install openjdk@17` (macOS), and make sure `java` is on PATH.';

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(`DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+: ${detail}. ${INSTALL_HINT}`);
    this.name = 'JavaMissingError';
  }
}

/** Throws a JavaMissingError that says how to install Java unless `java` 17+ is on PATH. */
export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) throw new JavaMissingError('`java` was not found on PATH');
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) throw new JavaMissingError('`java -version` printed no version');
  // Java 8 and older report themselves as "1.x".
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MINIMUM_JAVA_VERSION) {
    throw new JavaMissingError(`found Java ${major}`);
  }
}
