// dcmjs ships no type declarations; only what this lib and its specs use is declared.
// (dicom-parser ships its own index.d.ts.)
declare module 'dcmjs' {
  export interface DictionaryEntry {
    tag: string;
    vr: string;
    vm: string;
    name: string;
  }
  export type NaturalDataset = Record<string, unknown>;
  export interface DicomJsonLike {
    [tag: string]: { vr: string; Value?: unknown[]; InlineBinary?: string };
  }
  export namespace data {
    class DicomMetaDictionary {
      static dictionary: Record<string, DictionaryEntry | undefined>;
      static nameMap: Record<string, DictionaryEntry | undefined>;
      static punctuateTag(tag: string): string;
      static unpunctuateTag(tag: string): string;
      static denaturalizeDataset(dataset: NaturalDataset): DicomJsonLike;
      static naturalizeDataset(dataset: DicomJsonLike): NaturalDataset;
    }
    class DicomDict {
      constructor(meta: DicomJsonLike);
      meta: DicomJsonLike;
      dict: DicomJsonLike;
      write(options?: Record<string, unknown>): ArrayBuffer;
    }
    class DicomMessage {
      static readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDict;
    }
  }
}
