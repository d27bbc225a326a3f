// The preload of the dashboard window. It runs sandboxed, so it is bundled
// into one CommonJS file whose only require is 'electron'. It exposes the
// narrow DesktopApi, never ipcRenderer itself or a generic send(channel).
import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_API_NAME } from './ipc-contract';
import { desktopApi } from './preload-api';

contextBridge.exposeInMainWorld(
  DESKTOP_API_NAME,
  desktopApi((channel, ...args) => ipcRenderer.invoke(channel, ...args)),
);
