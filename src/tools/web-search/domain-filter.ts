/** `filters.allowed_domains`: a URL passes when its host is a listed domain or below one. */

export function isAllowedUrl(url: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  return allowed.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
