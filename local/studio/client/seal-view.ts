import { byId, element, getJson } from './dom';

/** Where an event stands in the verifiable history (`local/studio/seal-status.ts`). */
export type SealStatus =
  | { readonly status: 'sealed'; readonly checkpoint: number; readonly position: number }
  | { readonly status: 'pending' }
  | { readonly status: 'unsealed' };

interface SealAnswer {
  readonly sealed: readonly { sequence: number; firstPosition: number; lastPosition: number }[];
}

/** Hex digits of a hash shown in the table; the whole hash is one click (or Enter) away. */
const SHORT_HASH = 12;

/** The proof route of the API (`GET /streams/{streamId}/events/{version}/proof`). */
const proofUrl = (streamId: string, version: number) =>
  `/streams/${encodeURIComponent(streamId)}/events/${version}/proof`;

/** The seal status, with a link to the proof of a sealed event. */
export function sealCell(streamId: string, version: number, seal: SealStatus | undefined): Node {
  const cell = document.createDocumentFragment();
  switch (seal?.status) {
    case 'sealed':
      cell.append(
        element('span', 'sealed', { class: 'seal-sealed' }),
        ` in checkpoint ${seal.checkpoint}, position ${seal.position} `,
        element('a', 'Proof', {
          href: proofUrl(streamId, version),
          target: '_blank',
          rel: 'noopener',
          'aria-label': `Proof of version ${version} (JSON, opens in a new tab)`,
        }),
      );
      break;
    case 'pending':
      cell.append(element('span', 'not sealed yet', { class: 'seal-pending' }));
      break;
    case 'unsealed':
    case undefined:
      cell.append(
        element('span', 'unsealed', { class: 'seal-unsealed' }),
        ' (stored before events were hashed)',
      );
      break;
  }
  return cell;
}

/** The event's hash, shortened; the whole of it in the title and when expanded. */
export function hashCell(hash: string | undefined): Node {
  if (hash === undefined) return element('span', 'none', { class: 'muted' });
  const details = element('details', '', { class: 'hash' });
  details.append(
    element('summary', `${hash.slice(0, SHORT_HASH)}…`, { title: hash }),
    element('code', hash),
  );
  return details;
}

function describe(answer: SealAnswer): string {
  const first = answer.sealed[0];
  const last = answer.sealed.at(-1);
  if (!first || !last) return 'Nothing new to seal.';
  const checkpoints =
    first === last
      ? `checkpoint ${first.sequence}`
      : `checkpoints ${first.sequence} to ${last.sequence}`;
  return `Sealed ${checkpoints}: log positions ${first.firstPosition} to ${last.lastPosition}.`;
}

/** The "Seal the log now" button: runs the sealer, says what it sealed, then calls `sealed`. */
export function bindSealNow(sealed: () => Promise<void>): void {
  const button = byId<HTMLButtonElement>('seal-now');
  const result = byId('seal-result');
  button.addEventListener('click', () => {
    button.disabled = true;
    result.textContent = 'Sealing…';
    getJson<SealAnswer>('/studio/api/seal', { method: 'POST' })
      .then(async (answer) => {
        result.textContent = describe(answer);
        await sealed();
      })
      .catch((error: unknown) => {
        result.textContent = `Sealing failed: ${(error as Error).message}`;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}
