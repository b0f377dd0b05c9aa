import { createNotifierHandler } from '../src/alerts/handler.js';

const handler = createNotifierHandler();

export { handler };
