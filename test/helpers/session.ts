/** Logs in to the dashboard over plain HTTP, as a browser would: login form, cookie, CSRF token. */
import { ADMIN_PASSWORD } from './stack.js';

export interface DashboardSession {
  cookie: string;
  csrf: string;
  /** A request carrying the session cookie. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export function cookieValue(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [k, v] = pair!.split('=');
    if (k === name && v) return v;
  }
  return undefined;
}

export async function loginForm(base: string): Promise<{ loginCookie: string; loginCsrf: string }> {
  const page = await fetch(`${base}/login`);
  const loginCookie = cookieValue(page, 'tripline_login')!;
  const loginCsrf = /name="_login" value="([^"]+)"/.exec(await page.text())![1]!;
  return { loginCookie, loginCsrf };
}

export async function postLogin(base: string, password: string, form?: { loginCookie: string; loginCsrf: string }): Promise<Response> {
  const { loginCookie, loginCsrf } = form ?? (await loginForm(base));
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tripline_login=${loginCookie}` },
    body: new URLSearchParams({ _login: loginCsrf, username: 'admin', password, next: '/' }).toString(),
  });
}

export async function login(base: string, password = ADMIN_PASSWORD): Promise<DashboardSession> {
  const response = await postLogin(base, password);
  if (response.status !== 303) throw new Error(`login failed: HTTP ${response.status}`);
  const cookie = `tripline_session=${cookieValue(response, 'tripline_session')}`;
  const home = await fetch(`${base}/`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())![1]!;
  return { cookie, csrf, fetch: (path, init = {}) => fetch(`${base}${path}`, { redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), cookie } }) };
}

export const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
