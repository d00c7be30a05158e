/** The sidebar icon of the inspector: three stacked bars (parameter groups) with a lens. */
import { LabIcon } from '@jupyterlab/ui-components';

/** The lens: a ring with a handle at the lower right. */
const lensPath =
  'M16.5 10a4.5 4.5 0 0 1 3.7 7.07l2.36 2.37-1.06 1.06-2.37-2.36A4.5 4.5 0 1 1 16.5 10z' +
  'm0 1.5a3 3 0 1 0 0 6 3 3 0 0 0 0-6z';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="3" width="14" height="3" rx="1"/>
    <rect x="2" y="9" width="10" height="3" rx="1"/>
    <rect x="2" y="15" width="7" height="3" rx="1"/>
    <path d="${lensPath}"/>
  </g>
</svg>`;

export const inspectorIcon = new LabIcon({ name: 'paramscope:inspector', svgstr: svg });
