// A decoder worker (node:worker_threads): loads the dcmjs-codecs WebAssembly once, then decodes
// one frame per message, so that decoding never blocks the server's event loop.
import { parentPort } from 'node:worker_threads';
import { NativeCodecs } from 'dcmjs-codecs';
import { decodeFrame } from './frame-codec';
import type { DecodeRequest, DecodeResponse } from './decoder-pool';

const ready = NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
ready.catch(() => undefined); // reported with each request, not as an unhandled rejection

parentPort?.on('message', async (request: DecodeRequest) => {
  let response: DecodeResponse;
  try {
    await ready;
    const decoded = decodeFrame(request.transferSyntaxUid, request.image, Buffer.from(request.frame));
    const { buffer, byteOffset, length } = decoded.pixels;
    response = { id: request.id, buffer: buffer as ArrayBuffer, byteOffset, length, photometricInterpretation: decoded.photometricInterpretation, planarConfiguration: decoded.planarConfiguration };
    parentPort!.postMessage(response, [buffer as ArrayBuffer]);
  } catch (err) {
    response = { id: request.id, error: (err as Error).message };
    parentPort!.postMessage(response);
  }
});
