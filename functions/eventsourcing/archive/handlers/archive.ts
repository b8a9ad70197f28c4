// The scheduled archiver's entry point; the archiving itself is not part of this module yet.
export const handler = async (): Promise<void> => {};
