/** Query/Retrieve information models (PS3.4 C.6, Table B.5-1) and the AE-policy right each needs. */
export const QrSopClass = {
  PatientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  PatientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  PatientRootGet: '1.2.840.10008.5.1.4.1.2.1.3',
  StudyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  StudyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
  StudyRootGet: '1.2.840.10008.5.1.4.1.2.2.3',
} as const;

export type QrRoot = 'patient' | 'study';

/** The information model of a Q/R SOP class, undefined for any other class. */
export function rootOf(sopClassUid: string): QrRoot | undefined {
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.2.1.')) return 'patient';
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.2.2.')) return 'study';
  return undefined;
}

/** C-MOVE and C-GET SOP classes (accepted with the uncompressed syntaxes, like the FIND ones). */
export const RETRIEVE_SOP_CLASSES: readonly string[] = [
  QrSopClass.PatientRootMove,
  QrSopClass.PatientRootGet,
  QrSopClass.StudyRootMove,
  QrSopClass.StudyRootGet,
];
