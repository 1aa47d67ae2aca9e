/** The audit log: who did what to whom, appended by every change a person or the system makes. */
import { z } from 'zod';
import { IsoDateTime } from '../../domain/model.js';

export const AuditEntry = z.object({
  at: IsoDateTime,
  /** aadObjectId of a person, or `cli:<user>` / `system`. */
  actor: z.string(),
  action: z.string(),
  publisherId: z.string().optional(),
  subject: z.string().optional(),
  details: z.record(z.string(), z.unknown()).default({}),
  correlationId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export type AuditInput = z.input<typeof AuditEntry>;

export interface AuditPort {
  appendAudit(entries: AuditInput[]): Promise<void>;
  readAudit(filter?: { publisherId?: string; limit?: number }): Promise<AuditEntry[]>;
}
