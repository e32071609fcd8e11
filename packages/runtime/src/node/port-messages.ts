import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { LargeMessages } from '../worker/host-bridge.js';

/**
 * Large bridge payloads through a MessagePort: posted (moved when the payload owns its whole buffer) and
 * taken synchronously with receiveMessageOnPort, so the bridge's shared buffer keeps its inline size.
 */
export function portMessages(port: MessagePort): LargeMessages {
  return {
    post(payload) {
      const whole = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength;
      port.postMessage(payload, whole ? [payload.buffer as ArrayBuffer] : []);
    },
    take() {
      const received = receiveMessageOnPort(port);
      if (!received) throw new Error('host bridge: a large message was announced but never posted');
      return received.message as Uint8Array;
    },
  };
}
