import { createHmac } from 'node:crypto';

/** The pseudonyms of one patient: the same identity always gets the same ones under one secret. */
export interface PatientPseudonym {
  id: string;
  name: string;
  /** Days every date of this patient moves back (Modified Dates option, PS3.15 E.3.6). */
  shiftDays: number;
}

/** Longest date shift: about ten years, enough to hide the real dates, short enough to keep ages plausible. */
const MAX_SHIFT_DAYS = 3650;

/**
 * Consistent pseudonyms keyed by HMAC-SHA256 under PACS_DEID_SECRET: a UID, a patient (ID and
 * issuer) always maps to the same value, so a recipient can link two studies of one patient,
 * and nobody without the secret can go back (a keyed one-way function, not an encryption).
 */
export class Pseudonyms {
  constructor(private readonly secret: string) {
    if (!secret) throw new Error('a de-identification secret is required');
  }

  private mac(kind: string, value: string): Buffer {
    return createHmac('sha256', this.secret).update(`${kind}\u0000${value}`).digest();
  }

  /** A new UID for an old one: `2.25.` and the first 128 bits of the HMAC in decimal (PS3.5 B.2). */
  uid(uid: string): string {
    return `2.25.${BigInt(`0x${this.mac('uid', uid).subarray(0, 16).toString('hex')}`).toString(10)}`;
  }

  /** The pseudonymous Patient ID, Patient's Name and date shift of a patient (ID + issuer, PS3.3 C.7.1.1). */
  patient(id: string, issuer: string): PatientPseudonym {
    const mac = this.mac('patient', `${id}\u0000${issuer}`);
    const pseudoId = mac.subarray(0, 8).toString('hex').toUpperCase();
    return { id: pseudoId, name: `ANONYMOUS^${pseudoId}`, shiftDays: 1 + (mac.readUInt32BE(8) % MAX_SHIFT_DAYS) };
  }
}

/** A DA value (YYYYMMDD) moved back by whole days; undefined if it is no valid date (then it cannot be kept). */
export function shiftDate(value: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(time).getUTCDate() !== Number(m[3])) return undefined;
  return new Date(time - days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A DT value whose date part (its first 8 characters) is moved back; the time and offset stay. */
export function shiftDateTime(value: string, days: number): string | undefined {
  const trimmed = value.trim();
  const date = shiftDate(trimmed.slice(0, 8), days);
  return date && /^[\d.+-]*$/.test(trimmed.slice(8)) ? date + trimmed.slice(8) : undefined;
}
