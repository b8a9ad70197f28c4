import { EventSourcingError } from '../errors.js';

/** The timer target was invoked with something other than a timer's JSON object. */
export class InvalidTimerInputError extends EventSourcingError {
  readonly code = 'InvalidTimerInput';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTimerInputError';
  }
}
