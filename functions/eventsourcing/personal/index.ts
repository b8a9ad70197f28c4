/**
 * Personal data in an immutable history (crypto-shredding): fields declared personal are sealed
 * per data subject under a key of its own, and erasing the subject destroys the key.
 */
export type { PersonalDataDeclaration, PersonalFields } from './declaration.js';
export { InvalidPersonalDataError } from './declaration.js';
export { PersonalData, storedData, type RevealedEvent } from './personal-data.js';
export type { SubjectKeys } from './subject-keys.js';
export { DEFAULT_KEY_CACHE_MS, erasureStreamId } from './subject-keys.js';
export {
  DynamoDbSubjectKeys,
  destroyDataKey,
  type DynamoDbSubjectKeysOptions,
} from './dynamodb-subject-keys.js';
export { InMemorySubjectKeys } from './in-memory-subject-keys.js';
export {
  KmsKeyWrapper,
  type DataKey,
  type DataKeyWrapper,
  type KeyContext,
} from './key-wrapper.js';
export { LocalKeyWrapper } from './local-key-wrapper.js';
export {
  LOCAL_PERSONAL_DATA_KEY_PREFIX,
  PERSONAL_DATA_KEY_VARIABLE,
  personalDataFromEnv,
  subjectKeysFromEnv,
} from './environment.js';
export { erasureEvents } from './erasure-events.js';
export {
  SubjectErasure,
  type ClearEvent,
  type ErasureReport,
  type ErasureRequest,
  type SubjectErasureOptions,
} from './erasure.js';
export { ERASURE_ROUTE, erasureHandler, type ErasureHandlerOptions } from './erasure-http.js';
