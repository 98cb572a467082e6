import type { PacsConfig } from '@pacs/config';

/** Where the bundled viewer is served; scripts/fetch-viewer.mjs rebases the build onto it. */
export const VIEWER_ROUTE = '/viewer';

/** Where the issuer sends the browser after logout (a page of ours: the build has none). */
export const SIGNED_OUT_PAGE = 'logout-redirect.html';

/** Where its login goes: this server's OpenID provider, or the external issuer when configured. */
export interface ViewerLogin {
  authority: string;
  clientId: string;
  scope: string;
}

/**
 * The OHIF runtime configuration (`window.config`, what app-config.js sets) for a viewer reading
 * the DICOMweb root `dicomwebRoot`, served under VIEWER_ROUTE and logging in with `login`:
 * authorization code with PKCE (RFC 7636), the flow OHIF's OIDC client uses for
 * `response_type: 'code'`. Redirects are relative to the viewer's own base URL.
 */
export function ohifConfig(dicomwebRoot: string, login: ViewerLogin | null): Record<string, unknown> {
  return {
    routerBasename: VIEWER_ROUTE,
    extensions: [],
    modes: [],
    showStudyList: true,
    maxNumberOfWebWorkers: 3,
    showWarningMessageForCrossOrigin: false,
    showLoadingIndicator: true,
    defaultDataSourceName: 'pacs',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'pacs',
        configuration: {
          friendlyName: 'PACS',
          name: 'pacs',
          qidoRoot: dicomwebRoot,
          wadoRoot: dicomwebRoot,
          wadoUriRoot: dicomwebRoot,
          // QIDO-RS here answers includefield and fuzzy person-name matching (PS3.18 8.3.4).
          qidoSupportsIncludeField: true,
          supportsFuzzyMatching: true,
          supportsWildcard: true,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          bulkDataURI: { enabled: true, relativeResolution: 'studies' },
          omitQuotationForMultipartRequest: true,
        },
      },
    ],
    ...(login ? { oidc: [oidcClient(login)] } : {}),
  };
}

function oidcClient(login: ViewerLogin): Record<string, unknown> {
  return {
    authority: login.authority,
    client_id: login.clientId,
    redirect_uri: '/callback',
    silent_redirect_uri: '/silent-refresh.html',
    // Not '/': OHIF 3.13 routes the post-logout path unprefixed by routerBasename, so
    // /viewer/ would shadow its /viewer mode route (every study opened would sign out).
    post_logout_redirect_uri: `/${SIGNED_OUT_PAGE}`,
    response_type: 'code',
    scope: login.scope,
    automaticSilentRenew: true,
    // Not at logout: a JWT access token cannot be revoked (our provider answers RFC 7009's
    // unsupported_token_type, and OHIF would then stop before signing out); it lapses within
    // minutes, and end_session ends the session's refresh tokens.
    revokeAccessTokenOnSignout: false,
  };
}

/**
 * The login of the viewer served by this server, whose public origin is `origin`: the external
 * issuer when configured, else our own provider; none when that is off too (the viewer then
 * gets 401s: only for a server behind a proxy that authenticates).
 */
export function viewerLogin(config: PacsConfig, origin: string): ViewerLogin | null {
  const authority = config.oidc.issuer ?? (config.oidcProvider.enabled ? `${origin}/oidc` : null);
  return authority ? { authority, clientId: config.viewer.oidcClientId, scope: config.viewer.oidcScope } : null;
}

/** app-config.js: a script that sets window.config. */
export function appConfigScript(config: Record<string, unknown>): string {
  return `window.config = ${JSON.stringify(config, null, 2)};\n`;
}
