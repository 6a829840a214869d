/** Files → vector store: upload a file (Files API), create a store or add it to the chosen one. */
import { api } from './api.js';
import { h } from './dom.js';
import { options, vectorStoreSelect } from './options.js';
import { save } from './settings.js';

interface VectorStore {
  id: string;
  name: string | null;
  status: string;
  file_counts: { completed: number; total: number };
}

export async function refreshVectorStores(): Promise<void> {
  const list = await api<{ data: VectorStore[] }>('GET', '/vector_stores?limit=100');
  vectorStoreSelect.replaceChildren(
    h('option', { value: '' }, '(choose a vector store)'),
    ...list.data.map((vs) =>
      h(
        'option',
        { value: vs.id },
        `${vs.name ?? vs.id} · ${vs.file_counts.completed}/${vs.file_counts.total} files · ${vs.status}`,
      ),
    ),
  );
  vectorStoreSelect.value = options.vectorStoreId;
}

async function waitIndexed(id: string, status: HTMLElement): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const vs = await api<VectorStore>('GET', `/vector_stores/${id}`);
    status.textContent = `${vs.id}: ${vs.status} (${vs.file_counts.completed}/${vs.file_counts.total})`;
    if (vs.status !== 'in_progress') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function vectorStorePanel(): HTMLElement {
  const file = h('input', { type: 'file', name: 'file', 'aria-label': 'file to upload' });
  const name = h('input', { name: 'vsName', placeholder: 'new store name (empty: add to chosen)' });
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'upload-status' });
  const upload = async (event: Event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    try {
      status.textContent = `uploading ${chosen.name}…`;
      const form = new FormData();
      form.append('purpose', 'assistants');
      form.append('file', chosen);
      const uploaded = await api<{ id: string }>('POST', '/files', form);
      let storeId = options.vectorStoreId;
      if (name.value.trim() || !storeId) {
        const created = await api<VectorStore>('POST', '/vector_stores', {
          name: name.value.trim() || chosen.name,
          file_ids: [uploaded.id],
        });
        storeId = created.id;
      } else {
        await api('POST', `/vector_stores/${storeId}/files`, { file_id: uploaded.id });
      }
      options.vectorStoreId = storeId;
      options.fileSearch = true;
      save('options', options);
      const box = document.querySelector<HTMLInputElement>('input[name=fileSearch]');
      if (box) box.checked = true;
      await waitIndexed(storeId, status);
      await refreshVectorStores();
    } catch (error) {
      status.textContent = `upload failed: ${(error as Error).message}`;
    }
  };
  return h(
    'form',
    { class: 'vector-stores', onsubmit: upload, 'aria-label': 'Upload to a vector store' },
    h('h3', {}, 'Files'),
    file,
    name,
    h('button', { type: 'submit' }, 'Upload to vector store'),
    status,
  );
}
