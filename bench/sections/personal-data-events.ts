/** The same events, without personal fields declared (`plain`) and with them sealed (`sealed`). */
export const PERSONAL_SIDES = ['plain', 'sealed'] as const;
export type PersonalSide = (typeof PERSONAL_SIDES)[number];

/** A data subject of section 11: an account owner with one account stream of their own. */
export interface Subject {
  readonly subject: string;
  readonly streamId: string;
  readonly serial: number;
}

/**
 * An account opened for `subject` (the accounts domain's event), the holder's name and email
 * its personal fields: what both sides append, byte for byte the same before sealing.
 */
export const openedEvent = ({ subject, serial }: Subject) => ({
  type: 'AccountOpened' as const,
  data: {
    ownerId: subject,
    accountType: 'checking' as const,
    currency: 'USD' as const,
    holderName: `Ada Lovelace ${String(serial).padStart(6, '0')}`,
    email: `ada.lovelace.${String(serial).padStart(6, '0')}@example.com`,
  },
});
