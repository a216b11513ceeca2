/** JSON rendering: the report document as is, stable key order, two-space indent. */
import type { Report, SynReport } from '../model/report.js';

export const renderJson = (r: Report | SynReport): string => `${JSON.stringify(r, null, 2)}\n`;
