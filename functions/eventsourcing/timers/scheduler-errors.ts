import {
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-scheduler';

/** The errors EventBridge Scheduler answers with, built as its client builds them. */
export const schedulerErrors = {
  conflict: (message: string) =>
    new ConflictException({ message, Message: message, $metadata: {} }),
  notFound: (message: string) =>
    new ResourceNotFoundException({ message, Message: message, $metadata: {} }),
  invalid: (message: string) =>
    new ValidationException({ message, Message: message, $metadata: {} }),
};
