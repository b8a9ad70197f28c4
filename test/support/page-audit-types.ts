/** A text drawn below the contrast WCAG asks for: what it says, its colours and their ratio. */
export interface LowContrast {
  readonly text: string;
  readonly color: string;
  readonly background: string;
  readonly ratio: number;
}

/**
 * The checks `test/support/browser/page-audit.ts` runs inside the page (bundled and added as a
 * script, global `pageAudit`): browser code, compiled with the DOM's types of its own.
 */
export interface PageAudit {
  /** Marks the element that has the focus as reached by the keyboard. */
  markFocused(): void;
  /** Forgets what was reached. */
  forgetReached(): void;
  /** The visible controls (links, buttons, fields, disclosures) never marked: their markup. */
  unreached(): string[];
  /** Whether `element` (an element of the page) has the focus. */
  hasFocus(element: unknown): boolean;
  /** Disables or enables the buttons `selector` matches, to see them in either state. */
  setDisabled(selector: string, disabled: boolean): void;
  /** How many controls the page has, visible or not. */
  controlCount(): number;
  /** Every visible text (placeholders and the focus outline too) below `minimum`:1. */
  textsBelowContrast(minimum: number): LowContrast[];
}
