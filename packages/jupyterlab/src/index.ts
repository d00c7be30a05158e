/**
 * The application plugin: the Parameter groups sidebar panel, its commands and settings. The
 * mime renderers (Plotly figures, inline snapshots) live in `mime.ts`.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { inspectorIcon } from './icon';
import { KernelLink } from './kernel-link';
import { InspectorPanel } from './panel';
import { DEFAULT_SETTINGS, InspectorModel, type InspectorSettings } from './panel-model';

const PLUGIN_ID = '@paramscope/jupyterlab:inspector';

/** Command ids. */
export const CommandIds = {
  open: 'paramscope:open-inspector',
  refresh: 'paramscope:refresh-inspector'
} as const;

function readSettings(settings: ISettingRegistry.ISettings): InspectorSettings {
  const composite = settings.composite as Partial<InspectorSettings>;
  return {
    autoRefresh: composite.autoRefresh ?? DEFAULT_SETTINGS.autoRefresh,
    rowsBeforeShowMore: composite.rowsBeforeShowMore ?? DEFAULT_SETTINGS.rowsBeforeShowMore,
    showChart: composite.showChart ?? DEFAULT_SETTINGS.showChart
  };
}

const inspectorPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Parameter groups panel: optimizer groups, findings and weight norms of the active notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const model = new InspectorModel();
    const link = new KernelLink(model, tracker);
    const panel = new InspectorPanel({
      model,
      onRefresh: () => void app.commands.execute(CommandIds.refresh),
      copyText: (text) => Clipboard.copyToSystem(text)
    });
    panel.id = 'paramscope-inspector';
    panel.title.icon = inspectorIcon;
    panel.title.caption = 'Parameter groups';
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'paramscope-inspector');

    app.commands.addCommand(CommandIds.open, {
      label: 'Open Parameter Groups Inspector',
      caption: 'Show the optimizer parameter groups of the active notebook',
      icon: inspectorIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIds.refresh, {
      label: 'Refresh Parameter Groups',
      caption: 'Ask the active notebook’s kernel for a fresh paramscope snapshot',
      isEnabled: () => model.kernelState !== 'no-notebook' && model.kernelState !== 'no-kernel',
      execute: () => link.refresh()
    });
    for (const command of Object.values(CommandIds)) palette?.addItem({ command, category: 'paramscope' });

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then((settings) => {
          model.updateSettings(readSettings(settings));
          settings.changed.connect(() => model.updateSettings(readSettings(settings)));
        })
        .catch((reason: unknown) => console.warn('paramscope: could not load the inspector settings', reason));
    }
  }
};

export default [inspectorPlugin];
