// POST /token and the bearer check of every /api call [ref: Authentication].
import { randomBytes } from 'node:crypto';
import { lower } from './common.mjs';

// POST /token, Content-Type application/x-www-form-urlencoded, grant_type=password&username=&password= (ASI). The form's
// KEY case does not matter (ASI: the older collection spells them Username, Grant_type); values are compared as sent
// (the user name case-insensitively, as iMIS logins are). Answer: access_token, token_type "bearer", expires_in (1199 by
// default = 20 minutes), userName, .issued, .expires; wrong credentials -> 400 invalid_grant. Those answer fields are
// "likely but (unknown)": the stand-in sends them all, clients must need only access_token. A JSON body or another
// grant_type -> 400 unsupported_grant_type (OWIN OAuth texts; refresh_token needs a client secret, not usable here).
export function token(st, req, body) {
  if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) return [400, { error: 'unsupported_grant_type' }];
  const form = new Map([...new URLSearchParams(body.toString('utf8'))].map(([k, v]) => [lower(k), v]));
  if (form.get('grant_type') !== 'password') return [400, { error: 'unsupported_grant_type' }];
  const user = st.users.find((u) => lower(u.username) === lower(form.get('username')) && u.password === form.get('password'));
  if (!user) return [400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }];
  const access_token = randomBytes(32).toString('base64url'), lifetime = st.settings.tokenLifetimeSeconds;
  const issued = new Date(), expires = new Date(issued.getTime() + lifetime * 1000);
  st.tokens.set(access_token, { user: user.username, expires: expires.getTime() });
  st.tokensIssued++;
  return [200, { access_token, token_type: 'bearer', expires_in: Math.round(lifetime), userName: user.username, '.issued': issued.toUTCString(), '.expires': expires.toUTCString() }];
}

// "Authorization: Bearer {access_token}" (ASI). A missing, unknown or expired token -> 401 with the Web API text and
// WWW-Authenticate: Bearer; tokens die on expiry and on /_control/reset (iMIS: on a system-cache purge, ASI).
// Returns the fixture user, or an HTTP answer to send.
export function authenticate(st, req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const session = m && st.tokens.get(m[1]);
  if (!session || session.expires <= Date.now()) return { answer: [401, { Message: 'Authorization has been denied for this request.' }, { 'WWW-Authenticate': 'Bearer' }] };
  return { user: st.users.find((u) => u.username === session.user) };
}
