import { InvalidDeclarationError } from '../declaration/errors.js';

const CONSUMER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Consumer names are part of bookkeeping keys and metric dimensions. */
export function assertConsumerName(name: string): void {
  if (!CONSUMER_NAME.test(name)) {
    throw new InvalidDeclarationError([
      `Consumer name '${name}' must start with a letter and hold at most 64 letters, digits, _ or -`,
    ]);
  }
}
