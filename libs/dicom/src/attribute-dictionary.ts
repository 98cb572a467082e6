import { data } from 'dcmjs';

export interface AttributeInfo {
  /** 8 uppercase hex digits, the DICOM JSON key. */
  tag: string;
  keyword: string;
  vr: string;
}

interface DictEntry {
  tag: string;
  vr: string;
  name: string;
}

const dictionary = (data as unknown as { DicomMetaDictionary: { dictionary: Record<string, DictEntry>; nameMap: Record<string, DictEntry> } })
  .DicomMetaDictionary;

/** Looks up an attribute by keyword ("PatientName") or tag ("00100010"), per the PS3.6 data dictionary. */
export function attributeInfo(keywordOrTag: string): AttributeInfo | undefined {
  const key = keywordOrTag.trim();
  let entry: DictEntry | undefined;
  if (/^[0-9a-fA-F]{8}$/.test(key)) {
    const tag = key.toUpperCase();
    entry = dictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
    if (!entry) return isPrivateOrGroupLength(tag) ? undefined : { tag, keyword: tag, vr: 'UN' };
  } else {
    entry = dictionary.nameMap[key];
  }
  if (!entry || !/^\([0-9A-F]{4},[0-9A-F]{4}\)$/.test(entry.tag)) return undefined;
  return { tag: entry.tag.slice(1, 5) + entry.tag.slice(6, 10), keyword: entry.name, vr: entry.vr.split('|')[0].trim() };
}

function isPrivateOrGroupLength(tag: string): boolean {
  return parseInt(tag.slice(3, 4), 16) % 2 === 1 || tag.endsWith('0000');
}
