// Puts the Zwibbler protocol on the hub: the WebSocket endpoint, and on the same
// path the status text, `?ping` and the management API.
import { configuredJwtVerifier } from '../../auth/jwt';
import { identityResolver } from './identity';
import type { HubConfig } from '../../config/schema';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import { ManagementApi } from './management/api';
import { LoginThrottle } from '../../auth/login-throttle';
import type { DocumentStore } from '../../store/types';
import type { HttpTransport } from '../../transport/http-server';
import { zwibblerEndpoint, zwibblerHttpRoute } from './endpoint';
import type { LiveDocuments } from './live-document';

export interface ZwibblerMount {
  config: HubConfig;
  store: DocumentStore;
  documents: LiveDocuments;
  registry: SessionRegistry;
  log: Logger;
  now: () => number;
}

export function mountZwibbler(transport: HttpTransport, m: ZwibblerMount): void {
  const { config, store, documents, registry, log, now } = m;
  const management = new ManagementApi({
    store,
    documents,
    registry,
    credentials:
      config.SecretUser && config.SecretPassword
        ? { user: config.SecretUser, password: config.SecretPassword }
        : undefined,
    throttle: new LoginThrottle(config.LoginFailureLimit, config.LoginLockoutSeconds * 1000, now),
    // A document up to its limit, plus room for the form's other fields.
    maxBodyBytes: config.MaxDocumentBytes + 64 * 1024,
    maxDocumentBytes: config.MaxDocumentBytes,
    log: log.child({ component: 'management' }),
  });
  transport.addRoute(zwibblerHttpRoute(config.ZwibblerPath, { store, management, log }));
  transport.addEndpoint(
    zwibblerEndpoint(config.ZwibblerPath, {
      store,
      documents,
      registry,
      resolveIdentity: identityResolver({ store, jwt: configuredJwtVerifier(config, now), now }),
      limits: {
        maxMessageBytes: config.MaxMessageBytes,
        maxDocumentBytes: config.MaxDocumentBytes,
        maxKeysPerDocument: config.MaxKeysPerDocument,
        initTimeoutMs: config.InitTimeoutSeconds * 1000,
      },
      log: log.child({ protocol: 'zwibbler' }),
    }),
  );
}
