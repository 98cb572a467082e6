import { isStorageSopClass, isValidUid, VERIFICATION_SOP_CLASS } from '@pacs/dicom';
import { CommandField, commandName } from '../wire/command-set';
import type { DimseProviders } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { QrSopClass } from '../find/qr-sop-classes';
import { STORAGE_COMMITMENT_SOP_CLASS } from '../commitment/storage-commitment';

/** A received request: its Command Field and its command set as dcmjs naturalizes it (keyword → value). */
export interface ReceivedRequest {
  field: number;
  elements: Record<string, unknown>;
}

/** The accepted presentation context a request came on (PS3.8 7.1.1.13). */
export interface RequestContext {
  id: number;
  abstractSyntax: string;
}

/** Why a request is answered with a failure instead of being served. */
export interface Refusal {
  status: number;
  /** The Error Comment (0000,0902): at most 64 characters (PS3.5 6.2 LO). */
  comment: string;
}

interface CommandElement {
  keyword: string;
  name: string;
  uid?: boolean;
}

const Element = {
  AffectedSopClass: { keyword: 'AffectedSOPClassUID', name: 'Affected SOP Class UID (0000,0002)', uid: true },
  RequestedSopClass: { keyword: 'RequestedSOPClassUID', name: 'Requested SOP Class UID (0000,0003)', uid: true },
  AffectedSopInstance: { keyword: 'AffectedSOPInstanceUID', name: 'Affected SOP Instance UID (0000,1000)', uid: true },
  RequestedSopInstance: { keyword: 'RequestedSOPInstanceUID', name: 'Requested SOP Instance UID (0000,1001)', uid: true },
  MoveDestination: { keyword: 'MoveDestination', name: 'Move Destination (0000,0600)' },
  ActionTypeId: { keyword: 'ActionTypeID', name: 'Action Type ID (0000,1008)' },
} satisfies Record<string, CommandElement>;

/** What a request we serve must carry before its handler can answer it (PS3.7 9.3 DIMSE-C, 10.3 DIMSE-N). */
interface RequestRule {
  sopClass: CommandElement;
  required: readonly CommandElement[];
  /** The data set the request must announce, by name (Command Data Set Type, PS3.7 E.1-1). */
  dataSet?: string;
  /** Failure for a missing or unusable element: the service's "cannot understand" (PS3.4), else Mistyped argument (PS3.7 C.5). */
  unusable: number;
  /** Failure for a SOP class other than the context's: SOP Class not supported (DIMSE-C), No such SOP Class (DIMSE-N). */
  otherSopClass: number;
}

const C = { sopClass: Element.AffectedSopClass, otherSopClass: DimseStatus.SopClassNotSupported };
const N = { unusable: DimseStatus.MistypedArgument, otherSopClass: DimseStatus.NoSuchSopClass };

const RULES = new Map<number, RequestRule>([
  [CommandField.CEcho, { ...C, required: [], unusable: DimseStatus.MistypedArgument }],
  [CommandField.CStore, { ...C, required: [Element.AffectedSopInstance], dataSet: 'data set', unusable: DimseStatus.CannotUnderstand }],
  [CommandField.CFind, { ...C, required: [], dataSet: 'identifier', unusable: DimseStatus.UnableToProcess }],
  [CommandField.CMove, { ...C, required: [Element.MoveDestination], dataSet: 'identifier', unusable: DimseStatus.UnableToProcess }],
  [CommandField.CGet, { ...C, required: [], dataSet: 'identifier', unusable: DimseStatus.UnableToProcess }],
  [CommandField.NCreate, { ...N, sopClass: Element.AffectedSopClass, required: [] }],
  [CommandField.NSet, { ...N, sopClass: Element.RequestedSopClass, required: [Element.RequestedSopInstance], dataSet: 'modification list' }],
  [CommandField.NAction, { ...N, sopClass: Element.RequestedSopClass, required: [Element.RequestedSopInstance, Element.ActionTypeId] }],
]);

const NO_DATA_SET = 0x0101;
const MOVE_MODELS: ReadonlySet<string> = new Set([QrSopClass.PatientRootMove, QrSopClass.StudyRootMove]);
const GET_MODELS: ReadonlySet<string> = new Set([QrSopClass.PatientRootGet, QrSopClass.StudyRootGet]);

/**
 * The requests served on a presentation context of this abstract syntax: the DIMSE service group
 * of its SOP class as far as we provide it (Verification: C-ECHO, PS3.4 A; Storage: C-STORE, B;
 * Q/R: C-FIND, C-MOVE, C-GET, C; MPPS: N-CREATE, N-SET, F; Storage Commitment: N-ACTION, J).
 * The same abstract syntaxes DimseServer accepts in presentation contexts.
 */
export function requestsServedOn(abstractSyntax: string, providers: Pick<DimseProviders, 'findProvider' | 'normalizedProvider'>): readonly number[] {
  if (abstractSyntax === VERIFICATION_SOP_CLASS) return [CommandField.CEcho];
  if (isStorageSopClass(abstractSyntax)) return [CommandField.CStore];
  if (providers.findProvider(abstractSyntax)) return [CommandField.CFind];
  if (providers.normalizedProvider(abstractSyntax)) return [CommandField.NCreate, CommandField.NSet];
  if (MOVE_MODELS.has(abstractSyntax)) return [CommandField.CMove];
  if (GET_MODELS.has(abstractSyntax)) return [CommandField.CGet];
  if (abstractSyntax === STORAGE_COMMITMENT_SOP_CLASS) return [CommandField.NAction];
  return [];
}

/**
 * Whether a request can be served on the context it came on, else its failure:
 * - a command not in the service group of the context's SOP class (an unknown Command Field,
 *   N-GET, N-DELETE, N-EVENT-REPORT-RQ, a C-STORE on the Verification context): Unrecognized
 *   operation, 0211H (PS3.7 C.5; dcm4che answers an operation its service lacks the same way);
 * - a SOP Class UID missing, or elements the command requires missing or not UIDs, or no data set
 *   where one is required: the service's Cxxx "cannot understand" (PS3.4 B.2.3, C.4.1.1.4,
 *   C.4.2.1.5, C.4.3.1.4), Mistyped argument for C-ECHO and DIMSE-N, naming the element;
 * - a SOP class other than the context's abstract syntax (PS3.8 7.1.1.13: the presentation
 *   context negotiated what the messages on it carry): SOP Class not supported / No such SOP Class.
 * C-CANCEL and responses are not requests to answer (PS3.7 9.3.2.3): the caller leaves them be.
 */
export function screenRequest(request: ReceivedRequest, context: RequestContext, served: readonly number[]): Refusal | undefined {
  const name = commandName(request.field);
  const rule = RULES.get(request.field);
  if (!rule || !served.includes(request.field)) return { status: DimseStatus.UnrecognizedOperation, comment: `${name} is not served on presentation context ${context.id}` };
  const sopClass = request.elements[rule.sopClass.keyword];
  if (!present(sopClass)) return { status: rule.unusable, comment: `${name} without ${rule.sopClass.name}` };
  for (const element of rule.required) {
    const value = request.elements[element.keyword];
    if (!present(value)) return { status: rule.unusable, comment: `${name} without ${element.name}` };
    if (element.uid && !isValidUid(String(value))) return { status: rule.unusable, comment: `${name}: ${element.name} is no UID` };
  }
  if (rule.dataSet && request.elements.CommandDataSetType === NO_DATA_SET) return { status: rule.unusable, comment: `${name} announces no ${rule.dataSet} (0000,0800)` };
  if (sopClass !== context.abstractSyntax) return { status: rule.otherSopClass, comment: `SOP Class UID differs from presentation context ${context.id}` };
  return undefined;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
