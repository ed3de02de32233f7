/**
 * Imported first by bench/scale.ts: the handlers' logs and metrics would be most of the run's
 * output and of its CPU, and the loggers read these when their modules load.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
