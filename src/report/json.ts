/** JSON rendering: the document as is, stable key order, two-space indent. */
import type { PortsReport } from '../model/ports-report.js';
import type { Report, SynReport } from '../model/report.js';

export const renderJson = (r: Report | SynReport | PortsReport): string => `${JSON.stringify(r, null, 2)}\n`;
