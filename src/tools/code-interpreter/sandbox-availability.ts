/** Whether code can run here, and if not, what to install: shared by the tool's 400 and `rgw doctor`. */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { GatewayError } from '../../errors.js';

export type SandboxAvailability =
  | { ok: true; bwrap: string; python: string; pythonVersion: string }
  | { ok: false; reason: string };

export const INSTALL_HINT =
  "install bubblewrap and Debian's Python stack (`apt-get install bubblewrap python3 python3-numpy python3-pandas python3-matplotlib python3-scipy`), set RGW_PYTHON to that interpreter (default /usr/bin/python3) and RGW_CODE_SANDBOX=bwrap";

export function sandboxUnavailable(why: string): SandboxAvailability {
  return { ok: false, reason: `${why}; ${INSTALL_HINT}` };
}

/** The 400 a request using code_interpreter or the hosted shell gets when the sandbox cannot run. */
export function unavailableError(reason: string, param: string | null): GatewayError {
  return new GatewayError(400, `Code execution is not available on this gateway: ${reason}`, {
    type: 'invalid_request_error',
    code: 'code_interpreter_unavailable',
    param,
  });
}

/** An executable's path: as given when absolute, else the first match on PATH. */
export function whichBinary(name: string): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
