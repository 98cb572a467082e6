// Generated DIMSE inputs: association requests, command sets, C-STORE data sets and PDU framing,
// each mutated from a valid one. A case passes when the server answers (a PDU, an A-ABORT or a
// close) within the deadline, and answers an A-RELEASE-RQ on an association it kept open.
import { buildInstance, TransferSyntax } from '../support/generator';
import { associateRq, commandSet, datasetOf, pData, pduHeader, pdv, ProposedContext } from '../support/raw-pdu';
import * as b from './dicom-bytes';
import { mutateDataset } from './dataset-mutations';
import { mutateBytes, Prng } from './prng';
import { RawAssociation, Received, statusOf } from './raw-association';

export interface FuzzTarget {
  dimsePort: number;
  httpUrl: string;
  aeTitle: string;
  callingAe: string;
  token: string;
}

export interface CaseOutcome {
  name: string;
  /** Why the server's behaviour broke a rule (no answer, a 5xx …); undefined when it did not. */
  violation?: string;
  /** SOP Instance UIDs the server acknowledged as stored (status 0x0000). */
  stored?: string[];
}

export const ANSWER_MS = 10_000;

const CONTEXTS: ProposedContext[] = [
  { id: 1, abstractSyntax: b.VERIFICATION, transferSyntaxes: [b.IMPLICIT_LE] },
  { id: 3, abstractSyntax: b.CT_IMAGE_STORAGE, transferSyntaxes: [b.EXPLICIT_LE] },
  { id: 5, abstractSyntax: b.STUDY_ROOT_FIND, transferSyntaxes: [b.IMPLICIT_LE] },
  { id: 7, abstractSyntax: b.MWL_FIND, transferSyntaxes: [b.IMPLICIT_LE] },
  { id: 9, abstractSyntax: b.MPPS, transferSyntaxes: [b.IMPLICIT_LE] },
  { id: 11, abstractSyntax: b.STORAGE_COMMITMENT, transferSyntaxes: [b.IMPLICIT_LE] },
  { id: 13, abstractSyntax: b.STUDY_ROOT_GET, transferSyntaxes: [b.IMPLICIT_LE] },
];

/** A UID made from the generator, so a seed always gives the same instances. */
export function seededUid(rng: Prng): string {
  return `2.25.${rng.int(1, 9)}${Array.from({ length: 30 }, () => rng.int(0, 9)).join('')}`;
}

/** A small valid CT instance with seeded UIDs. */
export function seededInstance(rng: Prng, patientId: string, transferSyntaxUid: string = TransferSyntax.ExplicitLittleEndian) {
  return buildInstance({ rows: 16, patientId, studyUid: seededUid(rng), seriesUid: seededUid(rng), sopInstanceUid: seededUid(rng), transferSyntaxUid });
}

/** The answer in words; an A-ASSOCIATE-RJ or A-ABORT with its result, source and reason (PS3.8 9.3.4, 9.3.8). */
function describeAnswer(r: Received): string {
  if (typeof r === 'string') return r;
  const detail = r.type === 0x03 || r.type === 0x07 ? ` (${[...r.body.subarray(1, 4)].join('/')})` : '';
  return `PDU 0x${r.type.toString(16).padStart(2, '0')}${detail}`;
}

/** How long the server may stay silent after an input that leaves it waiting for more. */
const WAITING_MS = 500;

/**
 * After a whole message (`mustAnswer`), the answer must come within ANSWER_MS. After an input
 * the server may wait on, silence is allowed, but the association must then still release.
 */
async function expectAnswer(assoc: RawAssociation, name: string, mustAnswer: boolean): Promise<CaseOutcome & { answer: Received }> {
  const answer = await assoc.next(mustAnswer ? ANSWER_MS : WAITING_MS);
  if (answer !== 'timeout') return { name, answer };
  const release = await assoc.release(ANSWER_MS);
  if (mustAnswer) return { name, violation: 'no answer to a whole message', answer };
  return { name, violation: release === 'timeout' ? 'no answer to the input nor to A-RELEASE-RQ' : undefined, answer };
}

async function withAssociation(target: FuzzTarget, contexts: ProposedContext[], name: string, work: (a: RawAssociation) => Promise<CaseOutcome>): Promise<CaseOutcome> {
  const assoc = await RawAssociation.open(target.dimsePort, ANSWER_MS);
  try {
    const ac = await assoc.associate(target.callingAe, target.aeTitle, contexts, ANSWER_MS);
    if (ac === 'timeout') return { name, violation: 'no answer to a valid A-ASSOCIATE-RQ' };
    if (typeof ac === 'string' || ac.type !== 0x02) return { name, violation: `valid A-ASSOCIATE-RQ answered with ${describeAnswer(ac)}` };
    const outcome = await work(assoc);
    if (!assoc.socket.destroyed && !outcome.violation) await assoc.release(ANSWER_MS);
    return outcome;
  } finally {
    assoc.close();
  }
}

async function associationRequest(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const weird = () => rng.pick([Buffer.from('PACS\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1'), Buffer.from('\0'.repeat(16), 'latin1'), Buffer.from('AE\x1b[31mX\xff\xfe       ', 'latin1'), Buffer.alloc(16, 0x20), rng.bytes(16)]);
  const variant = rng.int(0, 3);
  const calling = variant === 0 ? weird() : target.callingAe;
  const called = variant === 1 ? weird() : target.aeTitle;
  const contexts = variant === 2
    ? Array.from({ length: rng.int(0, 20) }, () => ({ id: rng.int(0, 255), abstractSyntax: rng.pick([b.CT_IMAGE_STORAGE, '1.2.3\0', '', 'x'.repeat(70)]), transferSyntaxes: Array.from({ length: rng.int(0, 3) }, () => rng.pick([b.EXPLICIT_LE, '1.2.840.10008.1.2.4.50', '9.9', ''])) }))
    : CONTEXTS;
  let body = associateRq(calling, called, contexts).subarray(6);
  if (variant === 3) body = mutateBytes(rng, body);
  const framed = rng.chance(0.85);
  const whole = Buffer.concat([pduHeader(0x01, body.length), body]);
  const pdu = framed ? whole : mutateBytes(rng, whole);
  const assoc = await RawAssociation.open(target.dimsePort, ANSWER_MS);
  try {
    assoc.send(pdu);
    const answer = await assoc.next(framed ? ANSWER_MS : 1_000);
    if (answer === 'timeout') return { name: 'association request', violation: framed ? 'no answer to a whole A-ASSOCIATE-RQ' : undefined };
    if (answer !== 'closed' && answer.type === 0x02) {
      const release = await assoc.release(ANSWER_MS);
      if (release === 'timeout') return { name: 'association request', violation: 'accepted, then no answer to A-RELEASE-RQ' };
    }
    return { name: 'association request' };
  } finally {
    assoc.close();
  }
}

function baseCommand(rng: Prng): { elements: b.CommandElements; contextId: number; dataset?: Buffer } {
  const id = rng.int(1, 0xffff);
  switch (rng.int(0, 4)) {
    case 0:
      return { elements: b.cEchoRq(id), contextId: 1 };
    case 1: {
      const inst = seededInstance(rng, 'FUZZ-CMD');
      return { elements: b.cStoreRq(b.CT_IMAGE_STORAGE, inst.sopInstanceUid, id), contextId: 3, dataset: datasetOf(inst.bytes) };
    }
    case 2: {
      const queryRetrieveLevel = Buffer.from([0x08, 0x00, 0x52, 0x00, 6, 0, 0, 0, ...Buffer.from('STUDY ')]);
      return { elements: { 0x0002: b.STUDY_ROOT_FIND, 0x0100: 0x0020, 0x0110: id, 0x0700: 0, 0x0800: 0 }, contextId: 5, dataset: queryRetrieveLevel };
    }
    case 3:
      return { elements: { 0x0002: b.MPPS, 0x0100: 0x0140, 0x0110: id, 0x0800: 0, 0x1000: seededUid(rng) }, contextId: 9, dataset: Buffer.alloc(0) };
    default:
      return { elements: { 0x0002: b.VERIFICATION, 0x0100: rng.pick([0x0000, 0x0fff, 0x0031, 0x8001, 0x0ff0, 0xffff, 0x0150]), 0x0110: id, 0x0800: 0x0101 }, contextId: 1 };
  }
}

/**
 * A command whose Command Data Set Type (0000,0800) tells the truth about the data set that
 * followed it is a whole message (PS3.7 9.1): the server must answer it, if only to refuse it.
 */
function announcesWhatCame(elements: b.CommandElements, datasetSent: boolean): boolean {
  const type = elements[0x0800];
  if (typeof type !== 'number') return false;
  return (type !== 0x0101) === datasetSent;
}

async function command(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const base = baseCommand(rng);
  const field = Number(base.elements[0x0100]);
  const how = rng.int(0, 3);
  const name = `command 0x${field.toString(16).padStart(4, '0')}, ${['an element left out', 'values replaced', 'bytes mutated', 'on another context'][how]}`;
  return withAssociation(target, CONTEXTS, name, async (assoc) => {
    const elements = { ...base.elements };
    const numbers = Object.keys(elements).map(Number);
    if (how === 0) delete elements[rng.pick(numbers)];
    if (how === 1) for (const n of numbers) if (rng.chance(0.3)) elements[n] = rng.pick([Buffer.alloc(0), Buffer.from('\0'), rng.bytes(rng.int(1, 9)), Buffer.alloc(70, 0x31)]);
    let set = commandSet(elements);
    if (how === 2) set = mutateBytes(rng, set);
    const contextId = how === 3 ? rng.pick([1, 3, 5, 9, 2, 99, 0]) : base.contextId;
    assoc.send(b.messagePdus(contextId, set, base.dataset));
    return expectAnswer(assoc, name, how !== 2 && announcesWhatCame(elements, base.dataset !== undefined));
  });
}

async function storeDataset(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  return withAssociation(target, CONTEXTS, 'C-STORE data set', async (assoc) => {
    const inst = seededInstance(rng, 'FUZZ-DATASET');
    const { bytes, mutation } = mutateDataset(rng, datasetOf(inst.bytes));
    assoc.send(b.messagePdus(3, commandSet(b.cStoreRq(b.CT_IMAGE_STORAGE, inst.sopInstanceUid, 7)), bytes));
    const outcome = await expectAnswer(assoc, `C-STORE data set (${mutation})`, true);
    const stored = statusOf(outcome.answer) === 0x0000 ? [inst.sopInstanceUid] : [];
    return { ...outcome, stored };
  });
}

async function framing(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const echo = commandSet(b.cEchoRq(1));
  // [name, must the server answer at once (an abort, PS3.8 9.3.1 / 9.3.8), what to send]
  const variants: [string, boolean, (a: RawAssociation) => void][] = [
    ['P-DATA on a context never negotiated', true, (a) => a.send(pData(pdv(echo, 0x03, rng.pick([2, 99, 255]))))],
    ['message control header with reserved bits', false, (a) => a.send(pData(pdv(echo, rng.pick([0xfc, 0x04, 0xff]), 1)))],
    ['data PDV before its command', false, (a) => a.send(pData(pdv(Buffer.alloc(16), 0x02, 3)))],
    ['unknown PDU type', true, (a) => a.send(Buffer.concat([pduHeader(rng.pick([0x00, 0x08, 0x0a, 0xff]), 4), Buffer.alloc(4)]))],
    ['second A-ASSOCIATE-RQ', true, (a) => a.send(associateRq(target.callingAe, target.aeTitle, CONTEXTS))],
    ['empty P-DATA-TF', false, (a) => a.send(pduHeader(0x04, 0))],
    ['PDV longer than its PDU', true, (a) => a.send(Buffer.concat([pduHeader(0x04, 10), Buffer.from([0, 0, 0x10, 0, 1, 3]), Buffer.alloc(4)]))],
  ];
  const [name, mustAnswer, send] = rng.pick(variants);
  return withAssociation(target, CONTEXTS, name, async (assoc) => {
    send(assoc);
    return expectAnswer(assoc, name, mustAnswer);
  });
}

const KINDS: [number, (rng: Prng, target: FuzzTarget) => Promise<CaseOutcome>][] = [
  [2, associationRequest],
  [3, command],
  [4, storeDataset],
  [1, framing],
];

/** One generated DIMSE input, sent and judged. */
export async function dimseCase(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const total = KINDS.reduce((n, [w]) => n + w, 0);
  let roll = rng.int(1, total);
  for (const [weight, run] of KINDS) {
    if ((roll -= weight) <= 0) return run(rng, target);
  }
  throw new Error('unreachable');
}
