/**
 * The Rewards team (imported with the publishers). Channel settings are not a port of their own:
 * they are key/value entries (see services/channels.ts on KvPort).
 */
import type { Staff } from '../../domain/model.js';

export interface StaffPort {
  listStaff(): Promise<Staff[]>;
}
