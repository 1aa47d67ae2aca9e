/** Actors, typed results and the events actions emit (the services layer persists and notifies). */
import type {
  Activation,
  MarketingContact,
  PartnerCenterRole,
  ProgramState,
  RevocationReason,
  StaffRole,
  TechRequest,
  TransactionStatus,
} from '../model.js';

/** An account user of the publisher, as the services layer resolved it from the Teams identity. */
export interface PublisherActor {
  aadObjectId: string;
  role: PartnerCenterRole;
}

/** A member of the program's staff. */
export interface StaffActor {
  aadObjectId: string;
  staffRoles: readonly StaffRole[];
}

export type ActionErrorCode =
  | 'forbidden'
  | 'no_mpn_id'
  | 'no_live_offer'
  | 'not_enrolled'
  | 'no_contact'
  | 'invalid_input'
  | 'unknown_offer'
  | 'unknown_benefit'
  | 'unknown_activation'
  | 'benefit_unavailable'
  | 'not_in_edition'
  | 'revoked'
  | 'invalid_transition';

export interface ActionError {
  code: ActionErrorCode;
  /** One sentence a publisher (or staff member) can act on. */
  message: string;
  /** Per-field messages for forms that re-render with errors. */
  fields?: Record<string, string>;
}

export type Failure = { ok: false; error: ActionError };
export type Success<T> = { ok: true; events: ProgramEvent[] } & T;
export type Result<T> = Success<T> | Failure;
/** Most actions return the publisher's new program state. */
export type StateResult<T = object> = Result<{ state: ProgramState } & T>;

export type ProgramEvent =
  | { type: 'enrolled'; publisherId: string; at: string; by: string }
  | { type: 'contact_assigned'; publisherId: string; at: string; contact: MarketingContact; previousEmail: string | null }
  | {
      type: 'benefit_activated';
      publisherId: string;
      at: string;
      activation: Activation;
      benefitName: string;
      contactName: string;
      contactEmail: string;
    }
  | { type: 'opted_out' | 'opted_in'; publisherId: string; at: string; offerId: string; by: string }
  | { type: 'tech_requested'; publisherId: string; at: string; request: TechRequest }
  | { type: 'activation_contacted' | 'activation_completed'; publisherId: string; at: string; activationId: string; by: string }
  | { type: 'activation_revoked'; publisherId: string; at: string; activationId: string; reason: string }
  | { type: 'benefits_revoked'; publisherId: string; at: string; reason: RevocationReason; note: string; by: string }
  | {
      type: 'transaction_marked';
      publisherId: string;
      at: string;
      transactionId: string;
      from: TransactionStatus;
      to: TransactionStatus;
      note: string;
      by: string;
    }
  | { type: 'offer_delisted'; publisherId: string; at: string; offerId: string; by: string };

export function fail(code: ActionErrorCode, message: string, fields?: Record<string, string>): Failure {
  return { ok: false, error: fields ? { code, message, fields } : { code, message } };
}
