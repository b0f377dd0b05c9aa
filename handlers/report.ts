import { createReportHandler } from '../src/report/handler.js';

const handler = createReportHandler();

export { handler };
