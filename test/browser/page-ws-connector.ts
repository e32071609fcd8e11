import type { WsConnectFailure, WsConnectionListener, WsConnector } from '@plinth/host-kit';
import type { PageWsNotice } from './host-browser-page-ws.js';
import type { PageBridge } from './page-bridge.js';

/**
 * A `WsConnector` whose connections are made in the page by the browser connector: each call is answered
 * by the page at once (callSync), and the page's listener calls arrive as notices, after the call that
 * started them has returned, as a network reports.
 */
export function pageWsConnector(bridge: PageBridge): WsConnector & { stop(): void } {
  const listeners = new Map<number, WsConnectionListener>();
  /** Connections whose `opened` this side has heard. */
  const heardOpen = new Set<number>();
  const stop = bridge.onNotice((received) => {
    const notice = received as PageWsNotice;
    if (notice.kind !== 'ws') return;
    const listener = listeners.get(notice.id);
    if (listener === undefined) throw new Error(`a notice for unknown connection ${notice.id}`);
    switch (notice.event) {
      case 'opened':
        heardOpen.add(notice.id);
        return listener.opened();
      case 'message':
        return listener.message(notice.data);
      case 'error':
        return listener.error(notice.message);
      case 'closed':
        listeners.delete(notice.id);
        heardOpen.delete(notice.id);
        return listener.closed({ code: notice.code, blockedAddress: notice.blockedAddress });
    }
  });
  return {
    connect(request, listener) {
      const started = bridge.callSync('wsConnect', request) as { id: number } | WsConnectFailure;
      if ('failure' in started) return started;
      const { id } = started;
      listeners.set(id, listener);
      return {
        // In the page a socket is open only once its open event ran; here that event arrives later than the
        // socket's state, so open is also waiting for it, as a bundle in the page would see it.
        isOpen: () => heardOpen.has(id) && bridge.callSync('wsIsOpen', id) === true,
        send: (data) => void bridge.callSync('wsSend', id, data),
        close: () => void bridge.callSync('wsClose', id),
        terminate: () => void bridge.callSync('wsTerminate', id),
      };
    },
    stop,
  };
}
