import { Signal } from '@lumino/signaling';
import { NOT_LOADED_MARKER, PYTHON_REFRESH_CODE, REFRESH_CODE, SNAPSHOT_MIME_TYPE } from '@paramscope/protocol';
import { describe, expect, it, vi } from 'vitest';
import { resnet50Params, twoGroupSnapshot } from '../test-utils/snapshots';
import { KernelLink, pickSavedPayload } from './kernel-link';
import { InspectorModel } from './panel-model';

/** The parts of a NotebookPanel, its session context and kernel that the link uses. */
function fakeNotebook(savedOutputs: unknown[] = [], language?: string) {
  const owner = {};
  const kernel = {
    status: 'idle',
    info: language ? Promise.resolve({ language_info: { name: language } }) : undefined,
    anyMessage: new Signal<object, { msg: unknown; direction: 'send' | 'recv' }>(owner),
    requestExecute: vi.fn()
  };
  const sessionContext = {
    iopubMessage: new Signal<object, unknown>(owner),
    statusChanged: new Signal<object, string>(owner),
    kernelChanged: new Signal<object, { oldValue: unknown; newValue: unknown }>(owner),
    session: { kernel }
  };
  const outputs = savedOutputs.map((payload) => ({ data: { [SNAPSHOT_MIME_TYPE]: payload } }));
  const cell = { type: 'code', outputs: { length: outputs.length, get: (k: number) => outputs[k] } };
  const panel = {
    title: { label: 'train.ipynb' },
    sessionContext,
    context: { path: 'train.ipynb', ready: Promise.resolve() },
    content: { model: { cells: { length: 1, get: () => cell } } },
    disposed: new Signal<object, void>(owner)
  };
  return { panel, kernel, sessionContext };
}

const message = (msg_type: string, content: object, parent = '') => ({
  header: { msg_type, msg_id: `m-${Math.random()}` },
  parent_header: { msg_id: parent },
  content
});

describe('KernelLink', () => {
  it('shows the newest snapshot saved in the notebook, then live ones from IOPub', async () => {
    const older = { ...twoGroupSnapshot(resnet50Params()), createdAt: '2026-11-25T06:00:00.000Z' };
    const newer = {
      ...twoGroupSnapshot(resnet50Params(), { mistake: 'bn1.weight' }),
      createdAt: '2026-11-25T07:00:00.000Z'
    };
    const { panel, sessionContext } = fakeNotebook([newer, older]);
    const model = new InspectorModel();
    const link = new KernelLink(model);
    link.follow(panel as never);
    await Promise.resolve();
    expect(model.origin).toBe('saved-output');
    expect(model.snapshot?.entries[0].findings).toHaveLength(1);

    const live = twoGroupSnapshot(resnet50Params(), { sequence: 4 });
    sessionContext.iopubMessage.emit(
      message('update_display_data', { data: { [SNAPSHOT_MIME_TYPE]: live }, metadata: {}, transient: {} })
    );
    expect(model.origin).toBe('kernel');
    expect(model.snapshot?.sequence).toBe(4);
    sessionContext.iopubMessage.emit(message('stream', { name: 'stdout', text: 'hello' }));
    expect(model.snapshot?.sequence).toBe(4);
  });

  it('tracks busy from execute requests and replies (tslab sends no status)', () => {
    const { panel, kernel } = fakeNotebook();
    const model = new InspectorModel();
    new KernelLink(model).follow(panel as never);
    expect(model.kernelState).toBe('idle');
    const request = message('execute_request', {});
    kernel.anyMessage.emit({ msg: request, direction: 'send' });
    expect(model.kernelState).toBe('busy');
    kernel.anyMessage.emit({ msg: message('execute_reply', {}, request.header.msg_id), direction: 'recv' });
    expect(model.kernelState).toBe('idle');
    expect(model.kernelHasRun).toBe(true);
  });

  it("marks the data stale when JupyterLab reports a kernel restart, live again with the new kernel's snapshot", () => {
    const { panel, sessionContext, kernel } = fakeNotebook();
    const model = new InspectorModel();
    new KernelLink(model).follow(panel as never);
    model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 5, sessionId: 'old' }), 'kernel', 0);
    const before = message('execute_request', {});
    kernel.anyMessage.emit({ msg: before, direction: 'send' });
    // SessionContext.restartKernel: its own "restarting", then the kernel's.
    kernel.status = 'restarting';
    sessionContext.statusChanged.emit('restarting');
    sessionContext.statusChanged.emit('restarting');
    expect(model.kernelState).toBe('restarting');
    expect(model.staleReason).toBe('the kernel restarted');
    expect(model.headline().text).toBe('Kernel restarting: the data below is stale.');
    // The old kernel's late messages change nothing: neither a reply nor a snapshot.
    kernel.anyMessage.emit({ msg: message('execute_reply', {}, before.header.msg_id), direction: 'recv' });
    expect(model.kernelState).toBe('restarting');
    expect(model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 6, sessionId: 'old' }), 'kernel', 0)).toBe(
      'older'
    );
    // The restart request returned and the connection came back: the status moves on, then the
    // session context reports the same kernel as its kernel again.
    kernel.status = 'unknown';
    sessionContext.statusChanged.emit('unknown');
    kernel.status = 'idle';
    sessionContext.statusChanged.emit('idle');
    sessionContext.kernelChanged.emit({ oldValue: kernel, newValue: kernel });
    expect(model.kernelState).toBe('idle');
    expect(model.headline()).toEqual({
      level: 'warning',
      text: 'Stale: the kernel restarted. Re-run the cells that call inspect() or watch().'
    });
    // The new kernel's first snapshot: live again (a new session counts from 1).
    sessionContext.iopubMessage.emit(
      message('display_data', {
        data: { [SNAPSHOT_MIME_TYPE]: twoGroupSnapshot(resnet50Params(), { sequence: 1, sessionId: 'new' }) },
        metadata: {},
        transient: {}
      })
    );
    expect(model.staleReason).toBeUndefined();
    expect(model.headline().text).toMatch(/^Snapshot #1 /);
  });

  it('ends "restarting" once the kernel answers a request sent since the restart, even if JupyterLab says so', () => {
    const { panel, sessionContext, kernel } = fakeNotebook();
    const model = new InspectorModel();
    new KernelLink(model).follow(panel as never);
    model.receive(twoGroupSnapshot(resnet50Params()), 'kernel', 0);
    kernel.status = 'restarting';
    sessionContext.statusChanged.emit('restarting');
    const info = message('kernel_info_request', {});
    kernel.anyMessage.emit({ msg: info, direction: 'send' });
    expect(model.kernelState).toBe('restarting');
    kernel.anyMessage.emit({ msg: message('kernel_info_reply', {}, info.header.msg_id), direction: 'recv' });
    expect(model.kernelState).toBe('idle');
    expect(model.headline().text).toBe('Stale: the kernel restarted. Re-run the cells that call inspect() or watch().');
  });

  it('marks the data stale on an auto-restart, a dead kernel, another kernel and a shutdown', () => {
    const { panel, sessionContext, kernel } = fakeNotebook();
    const model = new InspectorModel();
    new KernelLink(model).follow(panel as never);
    model.receive(twoGroupSnapshot(resnet50Params()), 'kernel', 0);
    kernel.status = 'autorestarting';
    sessionContext.statusChanged.emit('autorestarting');
    expect(model.kernelState).toBe('restarting');
    expect(model.staleReason).toBe('the kernel restarted');
    kernel.status = 'dead';
    sessionContext.statusChanged.emit('dead');
    expect(model.kernelState).toBe('dead');
    expect(model.staleReason).toBe('the kernel died');

    const other = fakeNotebook().kernel;
    model.receive(twoGroupSnapshot(resnet50Params(), { sessionId: 'third' }), 'kernel', 0);
    sessionContext.kernelChanged.emit({ oldValue: kernel, newValue: other });
    expect(model.staleReason).toBe('the notebook switched to another kernel');
    expect(model.kernelState).toBe('idle');
    sessionContext.kernelChanged.emit({ oldValue: other, newValue: null });
    expect(model.staleReason).toBe('the kernel was shut down');
    expect(model.kernelState).toBe('no-kernel');
  });

  it('refreshes with one short request and recognizes a kernel without paramscope', async () => {
    const { panel, kernel } = fakeNotebook();
    const future = { onIOPub: undefined as undefined | ((msg: unknown) => void), done: Promise.resolve() };
    kernel.requestExecute.mockReturnValue(future);
    const model = new InspectorModel();
    const link = new KernelLink(model);
    link.follow(panel as never);
    const refreshing = link.refresh();
    await vi.waitFor(() => expect(kernel.requestExecute).toHaveBeenCalled());
    expect(kernel.requestExecute).toHaveBeenCalledWith(
      expect.objectContaining({ code: REFRESH_CODE, silent: true, store_history: false }),
      true
    );
    future.onIOPub?.(message('stream', { name: 'stdout', text: `${NOT_LOADED_MARKER}\n` }));
    await refreshing;
    expect(model.loadState).toBe('not-loaded');
  });

  it('follows the active notebook: its saved snapshot and its kernel, not the previous kernel', async () => {
    const first = fakeNotebook([twoGroupSnapshot(resnet50Params(), { mistake: 'bn1.weight' })]);
    const second = fakeNotebook([twoGroupSnapshot(resnet50Params())]);
    second.panel.title.label = 'other.ipynb';
    const owner = {};
    const tracker = { currentWidget: first.panel, currentChanged: new Signal<object, unknown>(owner) };
    const model = new InspectorModel();
    new KernelLink(model, tracker as never);
    await Promise.resolve();
    expect(model.snapshot?.entries[0].findings).toHaveLength(1);

    tracker.currentWidget = second.panel;
    tracker.currentChanged.emit(second.panel);
    expect(model.headline().text).not.toMatch(/train\.ipynb/);
    await Promise.resolve();
    expect(model.origin).toBe('saved-output');
    expect(model.snapshot?.entries[0].findings).toHaveLength(0);

    // The old notebook's kernel no longer reaches the panel; the new one's does.
    first.sessionContext.iopubMessage.emit(
      message('display_data', {
        data: { [SNAPSHOT_MIME_TYPE]: twoGroupSnapshot(resnet50Params(), { sequence: 9, mistake: 'bn1.weight' }) },
        metadata: {},
        transient: {}
      })
    );
    expect(model.snapshot?.entries[0].findings).toHaveLength(0);
    second.sessionContext.iopubMessage.emit(
      message('display_data', {
        data: { [SNAPSHOT_MIME_TYPE]: twoGroupSnapshot(resnet50Params(), { sequence: 7 }) },
        metadata: {},
        transient: {}
      })
    );
    expect(model.origin).toBe('kernel');
    expect(model.snapshot?.sequence).toBe(7);
  });

  it('refreshes Python with the Python statement, silent, without history; says how to load paramscope', async () => {
    const { panel, kernel } = fakeNotebook([], 'python');
    const future = { onIOPub: undefined as undefined | ((msg: unknown) => void), done: Promise.resolve() };
    kernel.requestExecute.mockReturnValue(future);
    const model = new InspectorModel();
    const link = new KernelLink(model);
    link.follow(panel as never);
    const refreshing = link.refresh();
    await vi.waitFor(() => expect(kernel.requestExecute).toHaveBeenCalled());
    expect(kernel.requestExecute).toHaveBeenCalledWith(
      { code: PYTHON_REFRESH_CODE, silent: true, store_history: false, allow_stdin: false, stop_on_error: false },
      true
    );
    future.onIOPub?.(message('stream', { name: 'stdout', text: `${NOT_LOADED_MARKER}\n` }));
    await refreshing;
    expect(model.kernelLanguage).toBe('python');
    expect(model.headline()).toEqual({
      level: 'warning',
      text:
        'paramscope is not loaded in this kernel: run `import paramscope` and ' +
        '`paramscope.inspect(optimizer, model)`.'
    });
  });

  it("takes busy and idle from ipykernel's status messages, also for requests of other clients", () => {
    const { panel, kernel, sessionContext } = fakeNotebook([], 'python');
    const model = new InspectorModel();
    new KernelLink(model).follow(panel as never);
    kernel.status = 'busy';
    sessionContext.statusChanged.emit('busy');
    expect(model.kernelState).toBe('busy');
    kernel.status = 'idle';
    sessionContext.statusChanged.emit('idle');
    expect(model.kernelState).toBe('idle');
    // Our own request: busy until its reply, whatever order status and reply arrive in.
    const request = message('execute_request', {});
    kernel.anyMessage.emit({ msg: request, direction: 'send' });
    kernel.status = 'busy';
    sessionContext.statusChanged.emit('busy');
    kernel.status = 'idle';
    sessionContext.statusChanged.emit('idle');
    expect(model.kernelState).toBe('busy');
    kernel.anyMessage.emit({ msg: message('execute_reply', {}, request.header.msg_id), direction: 'recv' });
    expect(model.kernelState).toBe('idle');
  });

  it('follows the active notebook across languages (Python, TypeScript) and a kernel change in one', async () => {
    const python = fakeNotebook([], 'python');
    const typescript = fakeNotebook([], 'typescript');
    typescript.panel.title.label = 'tslab.ipynb';
    for (const { kernel } of [python, typescript]) kernel.requestExecute.mockReturnValue({ done: Promise.resolve() });
    const tracker = { currentWidget: python.panel, currentChanged: new Signal<object, unknown>({}) };
    const model = new InspectorModel();
    const link = new KernelLink(model, tracker as never);
    await link.refresh();
    expect(python.kernel.requestExecute).toHaveBeenLastCalledWith(
      expect.objectContaining({ code: PYTHON_REFRESH_CODE }),
      true
    );
    expect(model.kernelLanguage).toBe('python');

    tracker.currentWidget = typescript.panel;
    tracker.currentChanged.emit(typescript.panel);
    await link.refresh();
    expect(typescript.kernel.requestExecute).toHaveBeenLastCalledWith(
      expect.objectContaining({ code: REFRESH_CODE }),
      true
    );
    expect(model.kernelLanguage).toBe('typescript');
    expect(python.kernel.requestExecute).toHaveBeenCalledTimes(1);

    // The TypeScript notebook switches to a Python kernel: stale, and refreshed in Python.
    model.receive(twoGroupSnapshot(resnet50Params()), 'kernel', 0);
    const switched = fakeNotebook([], 'python').kernel;
    switched.requestExecute.mockReturnValue({ done: Promise.resolve() });
    typescript.sessionContext.kernelChanged.emit({ oldValue: typescript.kernel, newValue: switched });
    expect(model.staleReason).toBe('the notebook switched to another kernel');
    await link.refresh();
    expect(switched.requestExecute).toHaveBeenCalledWith(expect.objectContaining({ code: PYTHON_REFRESH_CODE }), true);
    expect(model.kernelLanguage).toBe('python');
  });

  it('follows no notebook', () => {
    const model = new InspectorModel();
    new KernelLink(model).follow(null);
    expect(model.headline().text).toMatch(/^No notebook/);
  });
});

describe('pickSavedPayload', () => {
  it('prefers the newest readable snapshot and falls back to the last unreadable one', () => {
    expect(pickSavedPayload([])).toBeUndefined();
    expect(pickSavedPayload(['{broken', 'also broken'])).toBe('also broken');
  });
});
