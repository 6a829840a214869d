/** A finished code or shell call in the terms of its item (status, outputs) and of the model. */
import type { ContainerFileRecord, ContainerRecord } from '../../store/types.js';
import type { RunResult } from '../containers/container-sessions.js';
import { describeEnd } from './kernel-process.js';

export type CodeOutput = { type: 'logs'; logs: string } | { type: 'image'; url: string };

export interface DescribedCall {
  status: 'completed' | 'incomplete' | 'failed';
  outputs: CodeOutput[];
  forModel: string;
}

/** Logs a model sees of one call: the head and the tail of longer ones. */
const MAX_MODEL_LOG_CHARS = 20_000;
/** Images returned inline as data URLs up to this size. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

const KEPT = 'variables are lost; files saved in /mnt/data before this call are kept.';

export async function describeCall(
  result: RunResult,
  how: {
    container: ContainerRecord;
    timeoutMs: number;
    readFile(file: ContainerFileRecord): Promise<Buffer | undefined>;
    /** Numbers a written file for the answer to cite (a link to it with its annotation). */
    cite?: ((file: ContainerFileRecord) => number) | undefined;
  },
): Promise<DescribedCall> {
  const seconds = Math.round(how.timeoutMs / 100) / 10;
  const notes: string[] = [];
  if (result.restarted) {
    notes.push(
      'Note: the Python kernel was restarted before this call; variables from earlier calls are gone.',
    );
  }
  let status: DescribedCall['status'] = 'completed';
  const outputs: CodeOutput[] = [];
  let logs = '';
  if (result.outcome.type === 'ended') {
    const end = result.outcome.end;
    if (end.killedFor === 'timeout') {
      status = 'incomplete';
      notes.push(
        `The code did not stop within ${seconds} s nor on interrupt, so its kernel was restarted: ${KEPT}`,
      );
    } else {
      status = 'failed';
      notes.push(
        `The code could not finish: ${describeEnd(end)} (memory limit ${how.container.memory_limit}). ` +
          `The kernel will be restarted: ${KEPT}`,
      );
    }
  } else {
    const reply = result.outcome.reply;
    logs = reply.logs + (reply.logs_truncated ? '\n[output truncated]\n' : '');
    if (result.outcome.stoppedFor === 'timeout') {
      status = 'incomplete';
      notes.push(
        `Execution timed out after ${seconds} s and was interrupted; variables set so far are kept.`,
      );
    } else if (reply.error?.name === 'MemoryError') {
      notes.push(`The code ran out of memory (limit ${how.container.memory_limit}).`);
    }
    if (logs !== '') outputs.push({ type: 'logs', logs });
  }
  for (const file of result.written) {
    const type = IMAGE_TYPES[file.path.split('.').pop()?.toLowerCase() ?? ''];
    if (!type || file.bytes > MAX_IMAGE_BYTES) continue;
    const bytes = await how.readFile(file);
    if (bytes) outputs.push({ type: 'image', url: `data:${type};base64,${bytes.toString('base64')}` });
  }
  if (result.written.length > 0) {
    const cite = how.cite;
    notes.push(
      `Files saved in container ${how.container.id}: ${result.written
        .map((file) => `${file.path} (file_id ${file.id}${cite ? `, cite as 【${cite(file)}】` : ''})`)
        .join(', ')}.${cite ? ' Cite a file by its marker where the user should get a link to it.' : ''}`,
    );
  }
  if (result.deleted.length > 0)
    notes.push(`Files removed: ${result.deleted.map((f) => f.path).join(', ')}.`);
  if (result.skipped.length > 0) notes.push(`Files too large to keep: ${result.skipped.join(', ')}.`);
  const shown = logs === '' ? '(no output)' : clip(logs);
  return { status, outputs, forModel: [shown, ...notes].join('\n\n') };
}

function clip(text: string): string {
  if (text.length <= MAX_MODEL_LOG_CHARS) return text;
  const half = MAX_MODEL_LOG_CHARS / 2;
  return `${text.slice(0, half)}\n[… ${text.length - MAX_MODEL_LOG_CHARS} characters cut …]\n${text.slice(-half)}`;
}
