import { EventSourcingError } from '../errors.js';

/** A function's environment lacks a setting its declaration promised (a table name, a bus). */
export class ConfigurationError extends EventSourcingError {
  readonly code = 'ConfigurationMissing';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** A deployment or runtime setting has a value it cannot take; `setting` names it. */
export class InvalidSettingError extends EventSourcingError {
  readonly code = 'InvalidSetting';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidSettingError';
  }
}

/** A system declaration that points at nothing or breaks a guarantee, with every problem named. */
export class InvalidDeclarationError extends EventSourcingError {
  readonly code = 'InvalidDeclaration';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid system declaration:\n- ${problems.join('\n- ')}`);
    this.name = 'InvalidDeclarationError';
  }
}
