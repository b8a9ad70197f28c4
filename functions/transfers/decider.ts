import { DomainError, type Decider } from '../eventsourcing';
import type { TransferEvent } from './events';

export type TransferStatus = 'requested' | 'debited' | 'completed' | 'failed';

export type TransferState =
  | { readonly status: 'none' }
  | {
      readonly status: TransferStatus;
      readonly fromAccountId: string;
      readonly toAccountId: string;
      readonly amount: number;
      readonly reason?: string;
      readonly message?: string;
      readonly refunded?: boolean;
    };

export type TransferCommand = {
  readonly type: 'PostTransfer';
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: number;
};

function post(command: TransferCommand, state: TransferState): TransferEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('TransferAlreadyExists', 'The transfer already exists');
  }
  if (command.fromAccountId === command.toAccountId) {
    throw new DomainError('SameAccount', 'A transfer needs two different accounts', {
      accountId: command.fromAccountId,
    });
  }
  const { fromAccountId, toAccountId, amount } = command;
  return [{ type: 'TransferPosted', data: { fromAccountId, toAccountId, amount } }];
}

/**
 * A money transfer between two accounts, posted in one transaction with both accounts' events
 * (see posting.ts). Transfers requested before postings existed (`TransferRequested` and the
 * steps after it, written by the retiring process manager) still fold into their state.
 */
export const transferDecider: Decider<TransferCommand, TransferState, TransferEvent> = {
  initialState: { status: 'none' },

  evolve(state, event) {
    switch (event.type) {
      case 'TransferPosted':
        return { status: 'completed', ...event.data };
      case 'TransferRequested':
        return { status: 'requested', ...event.data };
      case 'TransferDebited':
        return state.status === 'none' ? state : { ...state, status: 'debited' };
      case 'TransferCompleted':
        return state.status === 'none' ? state : { ...state, status: 'completed' };
      case 'TransferFailed':
        return state.status === 'none' ? state : { ...state, status: 'failed', ...event.data };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'PostTransfer':
        return post(command, state);
    }
  },
};
