// The little of socket.io-client 2.x (installed as `socket.io-client-v2`) that
// the workspaces tests use. The package ships no types.
declare module 'socket.io-client-v2' {
  export interface ClientOptions {
    path?: string;
    forceNew?: boolean;
    reconnection?: boolean;
    transports?: string[];
    timeout?: number;
    extraHeaders?: Record<string, string>;
    /** The source address (the WebSocket transport honours it; polling does not). */
    localAddress?: string;
    forceNode?: boolean;
  }

  export interface EngineSocket {
    transport: { name: string };
    on(event: string, listener: (...args: never[]) => void): EngineSocket;
  }

  export interface Manager {
    engine: EngineSocket;
  }

  export interface Socket {
    id: string;
    connected: boolean;
    io: Manager;
    on(event: string, listener: (...args: never[]) => void): Socket;
    once(event: string, listener: (...args: never[]) => void): Socket;
    off(event: string, listener?: (...args: never[]) => void): Socket;
    emit(event: string, ...args: unknown[]): Socket;
    close(): Socket;
  }

  export default function io(url: string, options?: ClientOptions): Socket;
}
