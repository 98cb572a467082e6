import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@pacs/config';
import { appConfigScript, ohifConfig, viewerLogin } from './app-config';

type Source = { configuration: Record<string, unknown> };
type Client = Record<string, unknown>;

describe('the bundled viewer: OHIF app-config', () => {
  it('reads DICOMweb on the same origin and logs in with our own provider and client pacs-viewer', () => {
    const origin = 'https://pacs.example.org';
    const config = ohifConfig(`${origin}/dicomweb`, viewerLogin(loadConfig({}), origin));
    const source = (config.dataSources as Source[])[0].configuration;
    assert.equal(source.qidoRoot, 'https://pacs.example.org/dicomweb');
    assert.equal(source.wadoRoot, 'https://pacs.example.org/dicomweb');
    assert.equal(config.routerBasename, '/viewer');
    const [client] = config.oidc as Client[];
    assert.equal(client.authority, 'https://pacs.example.org/oidc');
    assert.equal(client.client_id, 'pacs-viewer');
    assert.equal(client.response_type, 'code');
    assert.equal(client.redirect_uri, '/callback', 'OHIF resolves it against its base: /viewer/callback');
  });

  it('logs in at the external issuer instead when PACS_OIDC_ISSUER is set', () => {
    const config = loadConfig({
      PACS_OIDC_ISSUER: 'https://kc.example.org/realms/hospital',
      PACS_OIDC_JWKS_URL: 'https://kc.example.org/realms/hospital/protocol/openid-connect/certs',
      PACS_OIDC_AUDIENCE: 'pacs',
      PACS_VIEWER_OIDC_CLIENT_ID: 'ohif',
      PACS_VIEWER_OIDC_SCOPE: 'openid profile roles',
    });
    const login = viewerLogin(config, 'https://pacs.example.org');
    assert.deepEqual(login, { authority: 'https://kc.example.org/realms/hospital', clientId: 'ohif', scope: 'openid profile roles' });
  });

  it('has no login when the external issuer is unset and our provider is off', () => {
    assert.equal(viewerLogin(loadConfig({ PACS_OIDC_PROVIDER: 'off' }), 'https://pacs.example.org'), null);
  });

  it('is a script that sets window.config', () => {
    const script = appConfigScript(ohifConfig('http://h/dicomweb', null));
    const window: { config?: Record<string, unknown> } = {};
    new Function('window', script)(window);
    assert.equal(window.config?.defaultDataSourceName, 'pacs');
    assert.equal(window.config?.oidc, undefined);
  });

  it('PACS_VIEWER takes on or off, and nothing else', () => {
    assert.equal(loadConfig({}).viewer.mode, 'on');
    assert.equal(loadConfig({ PACS_VIEWER: 'off' }).viewer.mode, 'off');
    assert.throws(() => loadConfig({ PACS_VIEWER: 'maybe' }), /PACS_VIEWER/);
  });
});
